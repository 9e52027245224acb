// Names of what main hands to the post step through action state
// (core.saveState -> STATE_* env of post). Saved the moment they are known, so
// a main step killed at any point leaves post enough to clean up.
export const STATE = {
  /** Saved BEFORE the create call: finds the machine even when the create answer was lost. */
  nonce: 'nonce',
  app: 'fly-app',
  apiUrl: 'fly-api-url',
  machineId: 'machine-id',
  /** 'true' once main destroyed the machine itself. */
  destroyed: 'machine-destroyed',
  commentId: 'comment-id',
  /** 'true' once main wrote the final comment. */
  commentFinal: 'comment-final',
  /** Marks the main step as having started (post does nothing for a run that never began). */
  started: 'started',
  /** 'true' when the checks refused the run: nothing was created, so post asks Fly nothing either. */
  skipped: 'skipped',
} as const;

export type StateKey = (typeof STATE)[keyof typeof STATE];

export interface StateStore {
  save(key: StateKey, value: string): void;
  get(key: StateKey): string;
}
