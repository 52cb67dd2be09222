import { Command, Option } from 'commander';
import { runCli } from './program.js';

const exitCode = await runCli(process.argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, Command, Option });
process.exitCode = exitCode;
