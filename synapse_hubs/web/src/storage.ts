// SPDX-License-Identifier: AGPL-3.0-or-later
// localStorage access that survives browsers where storage is disabled or
// throws (private modes). There the page works but keeps nothing between visits.

export function loadString(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function storeString(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Nothing to do: the value is simply not remembered.
  }
}

export function loadJson<T>(key: string, isValid: (value: unknown) => value is T): T | null {
  const raw = loadString(key);
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return isValid(value) ? value : null;
  } catch {
    return null;
  }
}

export function storeJson(key: string, value: unknown): void {
  storeString(key, JSON.stringify(value));
}

export function remove(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // Nothing stored, nothing to remove.
  }
}
