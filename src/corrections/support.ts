// What a channel can do about a message it already sent, as readers will see it: changed or
// removed in place, told by a notice (a new message), or nothing. Said per channel in
// GET /api/announcements/:id and on the dashboard, so nobody expects a recall a platform lacks.
import type { Channel } from '../types.js';

export type CorrectionWay = 'in_place' | 'notice' | 'none';

export interface CorrectionSupport {
  edit: CorrectionWay;
  retract: CorrectionWay;
}

export function correctionSupport(channel: Pick<Channel, 'correct' | 'correctionSupport'> | undefined): CorrectionSupport {
  if (!channel?.correct) return { edit: 'none', retract: 'none' };
  return channel.correctionSupport ?? { edit: 'notice', retract: 'notice' };
}
