import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { EXIT, nexfitProgram } from '../../src/cli/program.js';

const operations = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
const cliSection = operations.slice(operations.indexOf('## The `nexfit` command'), operations.indexOf('## Schema compatibility'));

const discard = new Writable({ write(_chunk, _enc, done) { done(); } });
const { program } = nexfitProgram({ stdout: discard, stderr: discard, env: {}, Command, Option });

/** Every command that runs something (no subcommands), with its path under `nexfit`. */
function leafCommands(command: Command, path: readonly string[] = []): { path: string; command: Command }[] {
  return command.commands.flatMap((sub) => {
    const subPath = [...path, sub.name()];
    return sub.commands.length > 0 ? leafCommands(sub, subPath) : [{ path: subPath.join(' '), command: sub }];
  });
}

/** The Markdown table rows of the CLI section whose first cell is `code`. */
function rowOf(code: string): string | undefined {
  return cliSection.split('\n').find((line) => line.startsWith(`| \`${code}\` |`) || line.startsWith(`| \`${code} `));
}

const COMMON = ['--mongo-uri', '--mongo-db', '--database-url', '--connect-timeout', '--json'];

describe('docs/operations.md documents the nexfit command as commander knows it', () => {
  const leaves = leafCommands(program);

  it('finds the commands to check', () => {
    expect(leaves.map((l) => l.path)).toEqual(expect.arrayContaining(['migrate status', 'migrate up', 'uow recover', 'reconcile', 'housekeeping']));
  });

  it('has a row for every command, naming each of its own long options', () => {
    for (const { path, command } of leaves) {
      const row = cliSection.split('\n').find((line) => line.startsWith(`| \`nexfit ${path}\` |`));
      expect(row, `no row for nexfit ${path}`).toBeDefined();
      for (const option of command.options) {
        if (!option.long || COMMON.includes(option.long)) continue;
        expect(row, `nexfit ${path} ${option.long}`).toContain(`\`${option.long}`);
      }
    }
  });

  it('lists the options every command takes, with their environment variables, and every command takes them', () => {
    for (const { path, command } of leaves) {
      expect(command.options.map((o) => o.long), `nexfit ${path}`).toEqual(expect.arrayContaining(COMMON));
    }
    for (const long of COMMON) expect(rowOf(long), long).toBeDefined();
    for (const [long, env] of [['--mongo-uri', 'MONGODB_URI'], ['--mongo-db', 'NEXFIT_MONGO_DB'], ['--database-url', 'DATABASE_URL'], ['--connect-timeout', 'NEXFIT_CONNECT_TIMEOUT_MS']] as const) {
      expect(rowOf(long)).toContain(`\`${env}\``);
    }
  });

  it('documents every environment variable an option description names, and the keyring ones', () => {
    const named = new Set<string>(['NEXFIT_ENCRYPTION_KEYS', 'NEXFIT_ENCRYPTION_ACTIVE_KEY', 'NEXFIT_BLIND_INDEX_KEY']);
    for (const { command } of leaves) for (const option of command.options) for (const [, env] of option.description.matchAll(/\$([A-Z_]+)/g)) named.add(env!);
    expect(named).toContain('NEXFIT_PAYMENTS_MODULE');
    for (const env of named) expect(cliSection, env).toContain(`\`${env}\``);
  });

  it('documents --version and every exit code', () => {
    expect(program.options.map((o) => o.long)).toContain('--version');
    expect(cliSection).toContain('`--version`');
    for (const [name, code] of Object.entries(EXIT)) expect(cliSection, name).toMatch(new RegExp(`^\\| ${code} \\| ${name} \\|`, 'm'));
  });
});
