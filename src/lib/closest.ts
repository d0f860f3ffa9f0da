export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  // Optimal string alignment: a swap of two neighbours ("stauts") costs one edit, as people type it.
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        cur[j] = Math.min(cur[j]!, (before[j - 2] ?? 0) + 1);
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The known name nearest to `input`, if it is near enough to be a likely typo. */
export function closest(input: string, known: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = name.startsWith(lower) || lower.startsWith(name) ? 1 : levenshtein(lower, name);
    if (best === undefined || d < best.d) best = { name, d };
  }
  if (best === undefined) return undefined;
  return best.d <= Math.max(2, Math.floor(best.name.length / 3)) ? best.name : undefined;
}
