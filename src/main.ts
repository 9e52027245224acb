// entry point: main (wired in later commits)
export {};
