// The public page of one announcement: where a message that a platform's limit cuts sends
// readers when the announcement has no link of its own.
import type { CrierConfig } from '../config/schema.js';

export function newsUrl(config: CrierConfig, id: string): string {
  return `${config.library.baseUrl.replace(/\/+$/, '')}/news/${encodeURIComponent(id)}`;
}
