/* global window */
// The preload's bridge, stubbed for the built popover in a real browser: the same seven functions,
// answering as main does, and a recorded run replayed on Start. Tests drive it through
// `window.__stub`; the recording is put in `window.__RECORDED_RUN__` before this script runs.
(() => {
  const recorded = window.__RECORDED_RUN__;
  const listeners = new Set();
  const calls = [];
  let cursor = 0;
  let state = { status: 'idle', events: [], last: null, crash: null, notice: null };

  const push = (message) => {
    if (message.type === 'state') state = message.state;
    for (const listener of listeners) listener(message);
  };
  const emit = (event) => push({ type: 'event', event });

  /** What main saves when the run ends: the report and what discovery said. */
  const lastRunOf = (events, done) => ({
    report: done.report,
    end: done.cancelled ? 'stopped' : 'finished',
    advice: events.filter((event) => event.type === 'discovery-done').flatMap((event) => event.advice),
    failedHosts: events.filter((event) => event.type === 'host-failed').map((event) => ({ url: event.url, reason: event.reason })),
    warnings: events.filter((event) => event.type === 'warning').map((event) => event.message),
  });

  const stub = {
    calls,
    events: recorded.events.map((entry) => entry.event),
    /** Replays the recorded events up to (not including) `index`. */
    playUntil(index) {
      while (cursor < Math.min(index, stub.events.length)) emit(stub.events[cursor++]);
    },
    /** Replays the rest, then reports the app idle with the run saved, as main does after `done`. */
    playAll() {
      stub.playUntil(stub.events.length);
      const done = stub.events[stub.events.length - 1];
      push({ type: 'state', state: { status: 'idle', events: [], last: lastRunOf(stub.events, done), crash: null, notice: null } });
    },
  };
  window.__stub = stub;

  window.speedrun = {
    start: async () => {
      calls.push(['start']);
      cursor = 0;
      push({ type: 'state', state: { ...state, status: 'running', events: [], crash: null } });
      return { ok: true };
    },
    stop: async () => {
      calls.push(['stop']);
    },
    copy: async (request) => {
      calls.push(['copy', request]);
      return { ok: true, text: request.form === 'run' ? `ollama run ${request.model}` : request.model };
    },
    getState: async () => state,
    getSettings: async () => ({ extraHosts: [], scan: true, subnet: null, maxTokens: 512, runs: 3 }),
    setSettings: async (settings) => {
      calls.push(['setSettings', settings]);
      return { ok: true, settings };
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
})();
