#!/usr/bin/env node
import { CliError, describeFailure } from './errors.js';
import { program } from './program.js';

try {
  await program().parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`error: ${describeFailure(err)}\n`);
  process.exitCode = err instanceof CliError ? err.exitCode : 1;
}
