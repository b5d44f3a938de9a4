# Shell helpers to run the mock NeurIPS site from a test script (POSIX sh).
#
#   . "$NSC_SOURCE_DIR/tests/mock/mock.sh"
#   mock_start "$tmpdir" --years 2024 --papers 200 --truth-dir "$tmpdir/truth" || exit 1
#   "$NIPSCOPE" crawl --proceedings-url "$MOCK_URL" --virtual-url "$MOCK_URL" ...
#   mock_stop            # SIGTERM, waits, returns the mock's exit status (0)
#
# mock_start sets MOCK_PID, MOCK_PORT and MOCK_URL, and MOCK_DATASETS_URL for
# the 2021 Datasets and Benchmarks host the mock serves on a second port (pass
# it as --datasets-url); the mock's stderr goes to $dir/mock.err.  It waits at
# most 20 s for the port files.

MOCKSITE=${MOCKSITE:-${NSC_SOURCE_DIR:-.}/tests/mock/mocksite.py}

mock_start() {
    mock_dir=$1
    shift
    rm -f "$mock_dir/mock.port" "$mock_dir/mock.dsport"
    python3 "$MOCKSITE" --port 0 --port-file "$mock_dir/mock.port" \
        --datasets-port-file "$mock_dir/mock.dsport" "$@" \
        >"$mock_dir/mock.out" 2>"$mock_dir/mock.err" &
    MOCK_PID=$!
    mock_i=0
    while [ ! -s "$mock_dir/mock.port" ]; do
        if ! kill -0 "$MOCK_PID" 2>/dev/null; then
            echo "mock_start: the mock exited: $(cat "$mock_dir/mock.err")" >&2
            return 1
        fi
        mock_i=$((mock_i + 1))
        if [ "$mock_i" -gt 200 ]; then
            echo "mock_start: no port file after 20 s" >&2
            kill "$MOCK_PID"
            return 1
        fi
        sleep 0.1
    done
    MOCK_PORT=$(cat "$mock_dir/mock.port")
    MOCK_URL="http://127.0.0.1:$MOCK_PORT"
    # written before mock.port
    MOCK_DATASETS_URL="http://127.0.0.1:$(cat "$mock_dir/mock.dsport")"
    return 0
}

mock_stop() {
    kill -TERM "$MOCK_PID" 2>/dev/null || return 1
    wait "$MOCK_PID"
}
