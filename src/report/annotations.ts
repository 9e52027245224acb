// The words of annotations: `::warning::`, `::error::`, `::notice::` and
// core.setFailed (an error annotation). An annotation is shown on the run's
// page apart from the log, in the action's own voice, so its words are fixed
// here and never taken from untrusted text (Claude's answer or errors, a
// tool, the machine, a repository, an event). The details go to the log, as
// untrusted text inside the stop-commands window; the annotation points there.
// Pure: no I/O.

/** The one warning for API retries (annotations are limited per step; every retry has its log line). */
export const RETRY_ANNOTATION = "Claude's API requests are being retried; see the log for the details. Further retries are in the log only.";
