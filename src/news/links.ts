// The public page of one announcement: where a message that a platform's limit cuts sends
// readers when the announcement has no link of its own.
import type { LibrarySettings } from '../config/shared.js';

export function newsUrl(library: Pick<LibrarySettings, 'baseUrl'>, id: string): string {
  return `${library.baseUrl.replace(/\/+$/, '')}/news/${encodeURIComponent(id)}`;
}
