import { describe, expect, it } from 'vitest';
import type { GlobalOptions } from '../../src/cli/context.js';
import { complete } from '../../src/cli/completion.js';
import { program } from '../../src/cli/program.js';
import { imageVersion } from '../../src/cli/version.js';

/** Rollout names as a namespace would list them; records where it was asked. */
function rollouts(): { names: (o: GlobalOptions) => Promise<string[]>; asked: GlobalOptions[] } {
  const asked: GlobalOptions[] = [];
  return {
    asked,
    names: (o) => {
      asked.push(o);
      return Promise.resolve(['podinfo', 'podcast', 'shop']);
    },
  };
}

const candidates = async (...words: string[]): Promise<string[]> => complete(program(), words, rollouts().names);

describe('completion candidates, read from the commands themselves', () => {
  it('completes subcommands, hiding the one the scripts call', async () => {
    expect(await candidates('')).toEqual(expect.arrayContaining(['status', 'get', 'promote', 'set', 'undo', 'version', 'completion']));
    expect(await candidates('')).not.toContain('__complete');
    expect(await candidates('pro')).toEqual(['promote']);
    expect(await candidates('set', '')).toContain('image');
  });

  it('completes the flags of the command and the global ones', async () => {
    expect(await candidates('promote', '--')).toEqual(['--full', '--kubeconfig', '--context', '--namespace']);
    expect(await candidates('undo', '--to')).toEqual(['--to-revision']);
  });

  it('completes the choices of -o and of the shell', async () => {
    expect(await candidates('get', '-o', '')).toEqual(['json', 'yaml']);
    expect(await candidates('status', 'podinfo', '--output', 'y')).toEqual(['yaml']);
    expect(await candidates('completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('completes Rollout names in the namespace and context typed, only where a Rollout goes', async () => {
    const source = rollouts();
    expect(await complete(program(), ['-n', 'shop', 'status', '--context=prod', 'pod'], source.names)).toEqual(['podinfo', 'podcast']);
    expect(source.asked).toEqual([{ namespace: 'shop', context: 'prod' }]);
    expect(await candidates('set', 'image', '')).toEqual(['podinfo', 'podcast', 'shop']);
    expect(await candidates('set', 'image', 'podinfo', '')).toEqual([]);
    expect(await candidates('status', 'podinfo', '')).toEqual([]);
    expect(await candidates('get', '')).toEqual([]);
  });
});

describe('the controller version an image names', () => {
  it('is the tag, the digest, or latest when neither is given', () => {
    expect(imageVersion('ghcr.io/flowshift/flowshift:0.1.0')).toBe('0.1.0');
    expect(imageVersion('registry.example.com:5000/flowshift:0.2.0-rc.1')).toBe('0.2.0-rc.1');
    expect(imageVersion('ghcr.io/flowshift/flowshift@sha256:abc')).toBe('sha256:abc');
    expect(imageVersion('registry.example.com:5000/flowshift')).toBe('latest (the image names no tag)');
  });
});
