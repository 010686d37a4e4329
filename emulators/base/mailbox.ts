/**
 * The "sent" e-mails of an emulator. Kept in memory only: they carry confirmation links and temporary
 * passwords, which must not rest on disk in clear; tests and the admin API read them here.
 */
export interface SentMail {
  id: number;
  to: string;
  kind: string;
  subject: string;
  /** Milliseconds since the epoch (emulator clock). */
  at: number;
  /** Structured content (links, ids, a temporary password) so tests need not parse text. */
  data: Record<string, string>;
}

export class Mailbox {
  private mails: SentMail[] = [];
  private next = 1;

  constructor(
    private readonly cap = 500,
    /** Told of every mail (e.g. a terminal that prints confirmation links). */
    private readonly onSend?: (mail: SentMail) => void,
  ) {}

  send(mail: Omit<SentMail, 'id'>): SentMail {
    const m = { ...mail, id: this.next++ };
    this.mails.push(m);
    if (this.mails.length > this.cap) this.mails.splice(0, this.mails.length - this.cap);
    this.onSend?.({ ...m, data: { ...m.data } });
    return m;
  }

  /** Mails, oldest first; `to` matches case-insensitively. */
  list(filter: { to?: string; kind?: string } = {}): SentMail[] {
    const to = filter.to?.toLowerCase();
    return this.mails.filter((m) => (!to || m.to.toLowerCase() === to) && (!filter.kind || m.kind === filter.kind)).map((m) => ({ ...m, data: { ...m.data } }));
  }

  clear(): void {
    this.mails = [];
  }
}
