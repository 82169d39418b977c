#!/usr/bin/env bash
# deploy/nginx/course-gateway.conf in front of a real gateway: `nginx -t` accepts it, TLS ends at
# nginx, plain HTTP is redirected, the client's address reaches the gateway through
# X-Forwarded-For (a Kannel inbound call allowed from one loopback address only, made from that
# address and from another, with and without a forged header), and nginx's body limit is the
# gateway's limits.body_bytes.
#   nginx_test.sh COURSE_GATEWAY SOURCE_DIR
set -uo pipefail
gw="$1"
src="$2"
fail() {
  echo "FAIL: $*" >&2
  for f in "$dir"/error.log "$dir"/gateway.err; do [[ -s "$f" ]] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done
  exit 1
}
nginx=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null)
if [[ -z "$nginx" ]]; then
  echo "SKIP: nginx is not installed (Debian package nginx-light: scripts/setup-deps.sh --with-tests);" \
    "deploy/nginx/course-gateway.conf is not checked"
  exit 77
fi
for tool in openssl curl python3; do command -v $tool >/dev/null || fail "$tool is not installed"; done
dir="$(mktemp -d)"
chmod 755 "$dir"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The gateway: nginx (127.0.0.1) is its trusted proxy; Kannel inbound is allowed from 127.0.0.3 only.
key=nginx-test-inbound-key-0123
cat >"$dir/gateway.json" <<JSON
{"listen": {"address": "127.0.0.1", "port": 0, "trusted_proxies": ["127.0.0.1"]},
 "admin_token": "nginx-test-admin-token-0123", "exam_secret": "nginx-test-exam-secret-0123",
 "store": {"url": "sqlite:$dir/gateway.db"}, "outbox": {"file": {"path": "$dir/outbox.jsonl"}},
 "inbound": {"kannel": {"key": "$key", "allowed_addresses": ["127.0.0.3"]}}}
JSON
"$gw" serve --config "$dir/gateway.json" >"$dir/gateway.out" 2>"$dir/gateway.err" &
pids+=($!)
for _ in $(seq 200); do grep -q "^listening on" "$dir/gateway.out" && break; sleep 0.05; done
gw_port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/gateway.out")
[[ -n "$gw_port" ]] || fail "the gateway did not start"

# The deployment's file with this test's values, inside a minimal nginx.conf of the test's own.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=courses.test" -keyout "$dir/tls.key" \
  -out "$dir/tls.pem" 2>/dev/null || fail "openssl could not make a certificate"
https_port=$(free_port)
http_port=$(free_port)
sed -e "s#@SERVER_NAME@#courses.test#g" -e "s#@HTTPS_PORT@#$https_port#g" -e "s#@HTTP_PORT@#$http_port#g" \
  -e "s#@TLS_CERTIFICATE@#$dir/tls.pem#g" -e "s#@TLS_CERTIFICATE_KEY@#$dir/tls.key#g" \
  -e "s#@GATEWAY_1@#127.0.0.1:$gw_port#g" "$src/deploy/nginx/course-gateway.conf" >"$dir/course-gateway.conf"
left=$(grep -v '^ *#' "$dir/course-gateway.conf" | grep -o '@[A-Z_0-9]*@' | sort -u)
[[ -z "$left" ]] || fail "deploy/nginx/course-gateway.conf has placeholders this test does not fill: $left"
mkdir -p "$dir/tmp"
cat >"$dir/nginx.conf" <<CONF
user $(id -un) $(id -gn);
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 64; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    include $dir/course-gateway.conf;
}
CONF
"$nginx" -t -q -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" 2>"$dir/t.err" || fail "nginx -t: $(cat "$dir/t.err")"
"$nginx" -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" -g "daemon off;" 2>>"$dir/error.log" &
pids+=($!)
for _ in $(seq 200); do curl -sk -o /dev/null "https://127.0.0.1:$https_port/" && break; sleep 0.05; done

# curl from a chosen loopback address; prints the HTTP status.
call() {
  local from="$1"
  shift
  curl -sk --interface "$from" -o "$dir/body" -w '%{http_code}' "$@"
}
inbound="https://127.0.0.1:$https_port/v1/sms/kannel/inbound?key=$key&from=962791234567&to=94123&text=HELP"
got=$(call 127.0.0.3 "$inbound&id=m1")
[[ "$got" == 200 ]] || fail "from the allowed address through nginx: HTTP $got $(cat "$dir/body")"
got=$(call 127.0.0.4 "$inbound&id=m2")
[[ "$got" == 403 ]] || fail "from another address through nginx: HTTP $got, not 403"
got=$(call 127.0.0.4 -H "X-Forwarded-For: 127.0.0.3" "$inbound&id=m3")
[[ "$got" == 403 ]] || fail "a forged X-Forwarded-For was believed: HTTP $got, not 403"
# Without nginx the gateway sees 127.0.0.1 itself, which is not allowed: the address above came through nginx.
got=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$gw_port/v1/sms/kannel/inbound?key=$key&from=962791234567&to=94123&text=HELP&id=m4")
[[ "$got" == 403 ]] || fail "straight to the gateway from 127.0.0.1: HTTP $got, not 403"

# Plain HTTP is sent to HTTPS.
got=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H "Host: courses.test" "http://127.0.0.1:$http_port/v1/courses")
[[ "$got" == "301 https://courses.test/v1/courses" ]] || fail "plain HTTP: $got"

# The body limit is the gateway's limits.body_bytes (65536): nginx lets that through and refuses one byte more itself.
head -c 65536 /dev/zero | tr '\0' 'a' >"$dir/64k"
printf 'a' | cat "$dir/64k" - >"$dir/64k+1"
got=$(call 127.0.0.3 -X POST -H "Content-Type: application/json" --data-binary @"$dir/64k" \
  "https://127.0.0.1:$https_port/v1/applications")
[[ "$got" != 413 && "$got" != 000 ]] || fail "a body of exactly limits.body_bytes: HTTP $got"
got=$(call 127.0.0.3 -X POST -H "Content-Type: application/json" --data-binary @"$dir/64k+1" \
  "https://127.0.0.1:$https_port/v1/applications")
[[ "$got" == 413 ]] && grep -qi nginx "$dir/body" || fail "one byte over limits.body_bytes: HTTP $got $(head -c 200 "$dir/body")"
echo ok
