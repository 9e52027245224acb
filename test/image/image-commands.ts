// Every command the image scripts (and the test stand-in for claude) run, with the
// Debian package that provides it. The restricted-PATH test runs a whole machine
// with only these on PATH; the Dockerfile test checks the non-essential packages
// are installed by the Dockerfile.
export const imageCommands: Readonly<Record<string, string>> = {
  bash: 'bash',
  sh: 'dash', // git runs its local transport through sh
  base64: 'coreutils',
  cat: 'coreutils',
  chmod: 'coreutils',
  chown: 'coreutils',
  cp: 'coreutils',
  dd: 'coreutils',
  env: 'coreutils',
  id: 'coreutils',
  ln: 'coreutils',
  ls: 'coreutils',
  mkdir: 'coreutils',
  mkfifo: 'coreutils',
  mv: 'coreutils',
  rm: 'coreutils',
  sleep: 'coreutils',
  stat: 'coreutils',
  timeout: 'coreutils',
  truncate: 'coreutils',
  setpriv: 'util-linux',
  setsid: 'util-linux',
  git: 'git',
  jq: 'jq',
};

/** Packages every Debian base image has (Essential: yes). */
export const essentialPackages: ReadonlySet<string> = new Set(['bash', 'dash', 'coreutils', 'util-linux']);
