import type { TestProject } from 'vitest/node';
import { startEnvironment } from '../../../devenv/env/environment.js';
import type { EnvInfo } from '../../../devenv/env/info.js';

declare module 'vitest' {
  export interface ProvidedContext {
    env: EnvInfo;
  }
}

/** One environment for the whole test run, shared by every test file; see environment.ts. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const environment = await startEnvironment();
  project.provide('env', environment.info);
  return environment.stop;
}
