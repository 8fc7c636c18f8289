// Clonespace agent entry point. One rpc.exports facade: init(policy), stats().
interface Stats {
  readonly pid: number;
  readonly platform: string;
}

rpc.exports = {
  stats(): Stats {
    return { pid: Process.id, platform: Process.platform };
  },
};
