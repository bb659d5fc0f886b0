import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { UsageError } from './errors.js';
import { checkValue, flagName, kebabCase, showValue, type OptionSpecs } from './option-spec.js';

/**
 * Reads a `--config` file (`.json`, `.yaml` or `.yml`) holding one object whose keys are option names (camelCase as in
 * the command's spec, or the flag's kebab-case). Every key and value is checked against the spec: an unknown key or a
 * wrongly typed value is a UsageError naming the file, the key and what was expected.
 */
export function loadConfigFile(file: string, specs: OptionSpecs): Record<string, unknown> {
  if (!fs.existsSync(file)) throw new UsageError(`--config: file not found: ${file}`);
  const ext = path.extname(file).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(ext)) {
    throw new UsageError(`--config: expected a .json, .yaml or .yml file, got '${path.basename(file)}'`);
  }
  const text = fs.readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = ext === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${file}: cannot parse ${ext.slice(1).toUpperCase()}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`--config ${file}: expected a mapping of option names to values, got ${showValue(parsed)}`);
  }
  return checkConfigValues(parsed as Record<string, unknown>, specs, file);
}

/** Validates config values (already parsed) against the spec; returns them under their camelCase keys. */
export function checkConfigValues(values: Record<string, unknown>, specs: OptionSpecs, origin: string): Record<string, unknown> {
  const byName = new Map<string, string>();
  for (const [key, spec] of Object.entries(specs)) {
    if (spec.cliOnly) continue;
    byName.set(key, key);
    byName.set(flagName(key, spec), key);
    byName.set(kebabCase(key), key);
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    const key = byName.get(name);
    if (key === undefined) {
      const known = Object.keys(specs).filter((k) => !specs[k].cliOnly).join(', ');
      throw new UsageError(`${origin}: unknown key '${name}' (known keys: ${known})`);
    }
    const checked = checkValue(specs[key], value, false);
    if (!checked.ok) throw new UsageError(`${origin}: '${name}' ${checked.reason}, got ${showValue(value)}`);
    out[key] = checked.value;
  }
  return out;
}
