/**
 * Shell run in the environment (as its main user, over SSH) to find, start and inspect Jupyter. The
 * token never appears in any of them: it travels on the SSH channel's stdin into a 0600 file that the
 * Jupyter config file reads, so it is absent from command lines, the environment, labels and logs.
 *
 * Files, under the user's home in the container: ~/.gpu-env/jupyter/{token,jupyter_config.py,port,
 * kind,pid,jupyter.log}. Where one home serves several environments (a cluster's shared file system),
 * the environment's sessions name their own folder in GPU_ENV_JUPYTER_DIR, and their workspace in
 * GPU_ENV_WORKSPACE.
 */

export const JUPYTER_DIR = '"${GPU_ENV_JUPYTER_DIR:-$HOME/.gpu-env/jupyter}"';

export type JupyterKind = 'lab' | 'notebook';

/** Lab when installed, the classic Notebook otherwise; `pip install --user jupyterlab` puts it in ~/.local/bin. */
const DETECT_KIND = [
  'PATH="$PATH:$HOME/.local/bin"',
  'if command -v jupyter-lab >/dev/null 2>&1; then kind=lab',
  'elif command -v jupyter-notebook >/dev/null 2>&1; then kind=notebook',
  'else kind=none; fi',
].join('\n');

/** Alive and really Jupyter: a pid file can outlive a container restart and name another process now. */
const RUNNING_PID = [
  `dir=${JUPYTER_DIR}`,
  'pid=$(cat "$dir/pid" 2>/dev/null || true)',
  'running=no',
  'if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr "\\000" " " < "/proc/$pid/cmdline" | grep -q jupyter; then running=yes; fi',
].join('\n');

/** Prints `running PORT KIND` or `stopped 0 KIND` (KIND `none`: not installed). */
export const PROBE_SCRIPT = [
  DETECT_KIND,
  RUNNING_PID,
  'if [ "$running" = yes ]; then echo "running $(cat "$dir/port") $(cat "$dir/kind")"; else echo "stopped 0 $kind"; fi',
].join('\n');

/** The token of the running server, for a client that has another one (two front ends, one server). */
export const READ_TOKEN_SCRIPT = `cat ${JUPYTER_DIR}/token`;

/** The last lines of the server's log (Jupyter prints a token it was given in config as "..."). */
export const LOG_TAIL_SCRIPT = `tail -n 30 ${JUPYTER_DIR}/jupyter.log 2>/dev/null || true`;

/**
 * Reads the token from stdin into a 0600 file, writes the config, picks a free loopback port and
 * starts Jupyter detached (setsid, no terminal, output to a log), so it outlives this SSH session.
 * Prints `started PORT KIND`; exits 3 when Jupyter is not installed.
 */
export const START_SCRIPT = [
  'set -e',
  'umask 077',
  DETECT_KIND,
  'if [ "$kind" = none ]; then echo "Jupyter is not installed in the environment (neither jupyter-lab nor jupyter-notebook is on the PATH)" >&2; exit 3; fi',
  `dir=${JUPYTER_DIR}`,
  'mkdir -p "$dir"',
  'chmod 700 "$dir"',
  'cat > "$dir/token.new"',
  'mv -f "$dir/token.new" "$dir/token"',
  'root="${GPU_ENV_WORKSPACE:-/workspace}"; [ -d "$root" ] || root="$HOME"',
  `port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')`,
  'cat > "$dir/jupyter_config.py" <<CONFIG',
  '# Written by gpu-env. The token is read from a file only its owner can read, so it is never on a',
  '# command line, in an environment variable, a container label or a log.',
  'with open("$dir/token") as token_file:',
  '    token = token_file.read().strip()',
  'for app in (c.ServerApp, c.NotebookApp):',
  '    app.token = token',
  '    app.ip = "127.0.0.1"',
  '    app.port = $port',
  '    app.port_retries = 0',
  '    app.open_browser = False',
  '    app.allow_remote_access = False',
  'c.IdentityProvider.token = token',
  'c.ServerApp.root_dir = "$root"',
  'c.NotebookApp.notebook_dir = "$root"',
  'CONFIG',
  'echo "$port" > "$dir/port"',
  'echo "$kind" > "$dir/kind"',
  'cd "$root"',
  `setsid sh -c 'echo $$ > "$1/pid"; exec "$2" --config="$1/jupyter_config.py"' gpu-env-jupyter "$dir" "jupyter-$kind" < /dev/null > "$dir/jupyter.log" 2>&1 &`,
  'echo "started $port $kind"',
].join('\n');

/** `sh -c '<script>'`: the script is on the command line (it holds no secret), stdin stays free for the token. */
export function shCommand(script: string): string {
  return `sh -c '${script.replace(/'/g, `'\\''`)}'`;
}

export interface ServerState {
  readonly state: 'running' | 'stopped' | 'started';
  readonly port: number;
  readonly kind: JupyterKind | 'none';
}

/** Parses `running|stopped|started PORT KIND` (the last line, in case a profile script printed something). */
export function parseServerState(output: string): ServerState | undefined {
  const line = output.trim().split('\n').pop() ?? '';
  const match = /^(running|stopped|started) (\d{1,5}) (lab|notebook|none)$/.exec(line.trim());
  if (!match) return undefined;
  return { state: match[1] as ServerState['state'], port: Number(match[2]), kind: match[3] as ServerState['kind'] };
}
