// entry point: post (wired in later commits)
export {};
