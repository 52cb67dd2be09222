import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { files: string[]; repository: { url: string }; homepage: string; bugs: { url: string } };
const REPOSITORY = 'https://github.com/nexfit/nexfit-sdk';

/** Every link target of a Markdown page: inline `[text](target)`, reference `[id]: target`, and HTML `href`/`src`. */
function linkTargets(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [
    ...[...withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
    ...[...withoutCode.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!),
    ...[...withoutCode.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1]!),
  ];
}

const isRelative = (target: string) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#') && !target.startsWith('//');

/** Whether a path of the repository ships in the package (`files`, plus what npm always includes). */
function shipped(path: string): boolean {
  const clean = path.replace(/^\.\//, '').split('#')[0]!.split('?')[0]!;
  return ['package.json', ...pkg.files].some((entry) => clean === entry || clean.startsWith(`${entry.replace(/\/$/, '')}/`));
}

describe('README.md links work from the npm registry page and from node_modules', () => {
  const targets = linkTargets(readme);

  it('finds the links to the docs and the examples', () => {
    expect(targets.filter((t) => t.includes('/docs/')).length).toBeGreaterThan(10);
    expect(targets.some((t) => t.includes('/examples/'))).toBe(true);
  });

  it('links relatively only to files the package ships', () => {
    expect(targets.filter((t) => isRelative(t) && !shipped(t))).toEqual([]);
  });

  it('links to the repository only at paths that exist in it', () => {
    const inRepository = targets.filter((t) => t.startsWith(`${REPOSITORY}/blob/main/`) || t.startsWith(`${REPOSITORY}/tree/main/`));
    expect(inRepository.length).toBeGreaterThan(10);
    const missing = inRepository.map((t) => t.replace(/^.*?\/(?:blob|tree)\/main\//, '').split('#')[0]!).filter((path) => !existsSync(`${root}${path}`));
    expect(missing).toEqual([]);
  });

  it('would catch a relative link to an unshipped path, and allow one to a shipped path', () => {
    expect(linkTargets('see [ops](docs/operations.md#backups) and [x]: examples/quickstart.ts\n[id]: docs/a.md').filter((t) => isRelative(t) && !shipped(t))).toEqual(['docs/operations.md#backups', 'docs/a.md']);
    expect(shipped('dist/index.js')).toBe(true);
    expect(shipped('./data/free-exercise-db.json')).toBe(true);
  });

  it('names the repository, its home page and its issue tracker in package.json', () => {
    expect(pkg.repository.url).toBe(`git+${REPOSITORY}.git`);
    expect(pkg.homepage).toBe(`${REPOSITORY}#readme`);
    expect(pkg.bugs.url).toBe(`${REPOSITORY}/issues`);
  });
});
