import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HEARTH_SETTINGS } from '../../src/extension/settingsRegistry';

interface Contributed {
  type: string;
  default: unknown;
  enum?: unknown[];
}

/** package.json's `contributes.configuration` properties, the defaults VS Code shows and returns. */
function contributedSettings(): Record<string, Contributed> {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    contributes: {
      configuration: { properties: Record<string, Contributed> } | { properties: Record<string, Contributed> }[];
    };
  };
  const sections = [manifest.contributes.configuration].flat();
  return Object.assign({}, ...sections.map((section) => section.properties)) as Record<string, Contributed>;
}

describe('the settings registry', () => {
  const contributed = contributedSettings();

  it('declares exactly the hearth.* settings package.json contributes', () => {
    assert.deepEqual(
      Object.keys(HEARTH_SETTINGS)
        .map((key) => `hearth.${key}`)
        .sort(),
      Object.keys(contributed)
        .filter((key) => key.startsWith('hearth.'))
        .sort(),
    );
  });

  it("agrees with package.json on each setting's type, default and choices", () => {
    for (const [key, setting] of Object.entries(HEARTH_SETTINGS)) {
      const declared = contributed[`hearth.${key}`];
      assert.deepEqual(
        { type: setting.type, default: setting.default, choices: 'choices' in setting ? setting.choices : undefined },
        { type: declared.type, default: declared.default, choices: declared.enum },
        `hearth.${key}`,
      );
    }
  });
});
