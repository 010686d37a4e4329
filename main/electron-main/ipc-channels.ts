/** Channel names shared by the main process and the preload (kept apart so the preload bundle stays tiny). */

/** The one channel events travel on, main → renderer: `{ name, payload }`. */
export const EVENT_CHANNEL = 'kraken:event';
