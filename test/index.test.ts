/** The public interfaces load as modules and expose what a host app embeds. */
import { describe, expect, it } from 'vitest';
import * as connectSync from '../src/index.ts';
import * as editorApp from '../src/editor/index.ts';

describe('the public interface', () => {
  it('exports the entry point and the functions a host app embeds', () => {
    for (const name of ['connectSync', 'defineConfig', 'defineMirrorObject', 'connectTable', 'createLogger'] as const) {
      expect(typeof connectSync[name]).toBe('function');
    }
  });

  it('exports the editor preset with each of its objects by name', () => {
    const exported = Object.values(editorApp);
    for (const object of editorApp.editorPreset.objects) expect(exported).toContain(object);
    expect(typeof editorApp.schoolCreate).toBe('function');
  });
});
