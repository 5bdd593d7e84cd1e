// Hostile input as properties (fast-check, fixed seed): every write route — the JSON API, the
// public forms, the desk's forms and the Telegram bot's webhook — under random and adversarial
// bodies never answers 5xx, and a refused request (4xx) leaves Redis exactly as it was. The
// route groups live beside this file; this one runs them in one process and prints the tally.
import { afterAll } from 'vitest';
import { apiProperties } from './properties-api.js';
import { deskProperties } from './properties-desk.js';
import { publicProperties } from './properties-public.js';
import { tally } from './props-support.js';

const started = Date.now();
apiProperties();
publicProperties();
deskProperties();

afterAll(() => {
  // Which answers the inputs got, per route: the exploration reached past the first check.
  if (process.env.PROPERTIES_VERBOSE) console.log(tally.statuses);
  console.log(`PROPERTIES: inputs=${tally.inputs} 5xx=${tally.fiveXx} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
});
