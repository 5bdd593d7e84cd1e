// What the Telegram channel renders for one recipient: shared by send (channel.ts) and corrections (correct.ts).
export interface TelegramMessage {
  chatId: string;
  /** HTML texts, parse_mode "HTML", sent in order. */
  parts: string[];
  /** The announcement's own link: the one link preview shown, under the last part. */
  previewUrl?: string;
}
