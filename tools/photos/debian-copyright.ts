/**
 * The licence of an installed file, read from its package's `/usr/share/doc/<pkg>/copyright`.
 *
 * Machine-readable (DEP-5) files: the last `Files:` stanza whose pattern matches the path wins, as DEP-5 says;
 * patterns name source-tree paths, so a pattern matches when the installed path ends with it or the basenames match.
 * Free-form files (no `Files:` stanza): the licence lines mentioned in the text, joined, marked "free-form".
 */

export interface CopyrightStanza {
  readonly patterns: readonly RegExp[];
  readonly licence: string;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`(^|/)${body}$`);
}

/** Stanzas of a DEP-5 copyright file in file order; one pseudo-stanza (pattern `*`) for a free-form file. */
export function packageLicences(text: string): CopyrightStanza[] {
  const stanzas: CopyrightStanza[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const files = /^Files:\s*((?:.*)(?:\n[ \t]+.*)*)/m.exec(block);
    const licence = /^License:\s*(.*)$/m.exec(block);
    if (!files || !licence) continue;
    const patterns = files[1]!.split(/\s+/).filter(Boolean).map(globToRegExp);
    stanzas.push({ patterns, licence: licence[1]!.trim() });
  }
  if (stanzas.length > 0) return stanzas;
  const mentioned = [...new Set([...text.matchAll(/Licen[sc]ed under ([^\n.]+)/g)].map((m) => m[1]!.trim()))];
  return [{ patterns: [/.*/], licence: `free-form copyright file: ${mentioned.join(' | ') || 'see file'}` }];
}

/** The licence of `installedPath` (relative to the package root), or 'unknown'. */
export function licenceForPath(stanzas: readonly CopyrightStanza[], installedPath: string): string {
  let found = 'unknown';
  const base = installedPath.split('/').pop() ?? installedPath;
  for (const stanza of stanzas) {
    if (stanza.patterns.some((p) => p.test(installedPath) || p.test(base))) found = stanza.licence;
  }
  return found;
}
