// The Fly Machines client: one import for the rest of the action.
export { FlyClient } from './client.ts';
export type { FlyClientOptions, CallOptions } from './client.ts';
export { createFlyRequester, buildUrl, DEFAULT_BASE_URL, USER_AGENT, realSleep } from './request.ts';
export type { FlyCall, FlyRequest, FlyRequester, FlyRequestOptions, FlyResponse, RetryNotice, HttpMethod, QueryParams } from './request.ts';
export { FlyApiError, FlyNetworkError, isAbortError, isAmbiguousFailure, isCapacityError, isNotFound } from './errors.ts';
export { authorizationHeader, normalizeToken, isMacaroonToken } from './auth.ts';
export { backoffDelay, parseRetryAfter, DEFAULT_RETRY } from './backoff.ts';
export type { RetryPolicy } from './backoff.ts';
export { chooseDispatcher } from './dispatcher.ts';
export { RateLimiter, DEFAULT_LIMITS } from './rate-limit.ts';
export type { RateKey, RateKind, BucketLimits, Sleep } from './rate-limit.ts';
export { createMachineIdempotent, FlyLaunchError } from './launch.ts';
export type { LaunchClient, LaunchOptions, LaunchResult } from './launch.ts';
export {
  buildMachineConfig,
  parseVmSize,
  assertNoSecrets,
  runMetadata,
  METADATA_KEYS,
  ACTION_TAG,
  VM_SIZE_NAMES,
} from './machine-config.ts';
export type { GuestSize, MachineConfigInput, RunTags } from './machine-config.ts';
export { exitInfoFromEvents, machineRunningMs, exitEventOf, toEpochMs } from './exit.ts';
export type { ExitInfo } from './exit.ts';
export { decodeExecAnswer } from './exec-answer.ts';
export type * from './types.ts';
