// Load as the event loop shows it: how many requests came in one turn.

/**
 * Whether a server is under load, judged by turns of the event loop: several requests came in this
 * turn, or in the last turn that had any. A connector asks when a response is complete: sent at the
 * end of the turn rather than at once, it leaves with the responses to the rest of the turn's
 * requests, and a burst read together is answered together (docs/architecture.md, "Responses under
 * load", has the measurements). A request alone is answered at once, since waiting would only add
 * to its latency. The turn's later requests are not read yet when an earlier one completes: the
 * last turn stands for them.
 */
export class TurnLoad {
  #requests = 0;
  #lastTurnRequests = 0;

  /** Counts a request to this turn. */
  requestCame(): void {
    if (this.#requests++ === 0) setImmediate(this.#endTurn);
  }

  get underLoad(): boolean {
    return this.#requests > 1 || this.#lastTurnRequests > 1;
  }

  readonly #endTurn = (): void => {
    this.#lastTurnRequests = this.#requests;
    this.#requests = 0;
  };
}
