/** The schema's default for blueGreen.iterations and abTesting.iterations. */
export const DEFAULT_ITERATIONS = 10;
