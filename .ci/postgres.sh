# Sourced by .ci/run: start a throw-away PostgreSQL cluster for the tests, stopped on exit.
#
# initdb in a temporary directory, listening on 127.0.0.1 and a Unix socket in that
# directory only; run as the `postgres` user when we are root (initdb refuses root).
# Exports CAMPAIGNFLOW_TEST_DATABASE_URL (the tests' server) and CAMPAIGNFLOW_TEST_PG_CTL
# (a script taking stop|start, for the server-restart test). Fails if the server does not start.

pg_bindir="$(pg_config --bindir 2>/dev/null || true)"
if [ ! -x "$pg_bindir/initdb" ]; then
  pg_bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
fi
if [ ! -x "$pg_bindir/initdb" ]; then
  echo ".ci/postgres.sh: no initdb found; is the postgresql package installed?" >&2
  exit 1
fi
pg_dir="$(mktemp -d /tmp/campaignflow-pg.XXXXXX)"
pg_port="${CAMPAIGNFLOW_TEST_PG_PORT:-54329}"
pg_as=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$pg_dir"
  pg_as=(runuser -u postgres --)
fi
"${pg_as[@]}" "$pg_bindir/initdb" -D "$pg_dir/data" -U campaignflow -A trust -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 \
  || { cat "$pg_dir/initdb.log" >&2; exit 1; }
cat >"$pg_dir/ctl" <<CTL
#!/usr/bin/env bash
# stop|start the test cluster (the restart test calls this)
set -e
case "\$1" in
  start) exec ${pg_as[*]} "$pg_bindir/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 30 \
           -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=200 -c fsync=on -c synchronous_commit=on" start ;;
  stop)  exec ${pg_as[*]} "$pg_bindir/pg_ctl" -D "$pg_dir/data" -m "\${2:-fast}" -w -t 30 stop ;;
  *) echo "usage: \$0 start|stop [mode]" >&2; exit 2 ;;
esac
CTL
chmod +x "$pg_dir/ctl"
chmod 755 "$pg_dir"
_campaignflow_pg_stop() { "$pg_dir/ctl" stop immediate >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap _campaignflow_pg_stop EXIT
"$pg_dir/ctl" start >/dev/null || { cat "$pg_dir/server.log" >&2; exit 1; }
"$pg_bindir/pg_isready" -h 127.0.0.1 -p "$pg_port" -t 30 >/dev/null \
  || { echo ".ci/postgres.sh: the PostgreSQL server did not start" >&2; cat "$pg_dir/server.log" >&2; exit 1; }
export CAMPAIGNFLOW_TEST_DATABASE_URL="postgresql://campaignflow@127.0.0.1:$pg_port/postgres"
export CAMPAIGNFLOW_TEST_PG_CTL="$pg_dir/ctl"
echo "PostgreSQL test server: $CAMPAIGNFLOW_TEST_DATABASE_URL ($("$pg_bindir/postgres" --version))"
