// Loads the shared announcement fixtures (validated input) for the render tests.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AnnouncementInput } from '../../src/types.js';

const DIR = fileURLToPath(new URL('../../../shared/fixtures/announcements/', import.meta.url));

export function fixtureNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function loadFixture(name: string): AnnouncementInput {
  return JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as AnnouncementInput;
}

export const LIBRARY_NAME = { en: 'University Library', zh: '大学图书馆' };
export const UNSUBSCRIBE_URL = 'https://library.example.edu/subscriptions/unsubscribe?token=t0k3n';
