// entry point: replay (wired in later commits)
export {};
