# console.sh - a curl client for the console tests (70, 72), sourced after
# harness.sh. Set C (the console's base URL) before calling; H and B are
# where the last response's headers and body go.

H=$HARNESS_TMP/h.txt
B=$HARNESS_TMP/b.txt

# req JAR [curl args...]: prints the status; headers in $H, body in $B
req() {
	local jar=$1
	shift
	curl -s -o "$B" -D "$H" -w '%{http_code}' -b "$jar" -c "$jar" "$@"
}
# login JAR USER PASSWORD: prints the status of POST /login
login() {
	local jar=$1 csrf
	req "$jar" "$C/login" >/dev/null
	csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$B" | head -1)
	req "$jar" --data-urlencode "user=$2" --data-urlencode "password=$3" --data-urlencode "csrf=$csrf" "$C/login"
}
# csrf_of JAR: the session's CSRF token from /api/session
csrf_of() {
	req "$1" "$C/api/session" >/dev/null
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$B"
}
