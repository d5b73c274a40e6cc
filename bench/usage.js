'use strict';
// Preloaded into the Node processes the benchmark measures when GNU time is not
// installed: at exit, writes the process's CPU seconds (its own and its waited-for
// children's, such as grep) and peak RSS to the file named by TAGGUARD_BENCH_USAGE.
const fs = require('node:fs');

process.on('exit', () => {
  const own = process.resourceUsage();
  let children = 0;
  try {
    // /proc/self/stat fields 16 and 17: cutime and cstime, in clock ticks (100 per second on Linux).
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    children = (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    // not Linux: children's CPU time is left out
  }
  const usage = { cpu: (own.userCPUTime + own.systemCPUTime) / 1e6 + children, rss: own.maxRSS / 1024 };
  fs.writeFileSync(process.env.TAGGUARD_BENCH_USAGE, JSON.stringify(usage));
});
