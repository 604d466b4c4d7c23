// The shell classifier's everyday command lines (issue 11 item 5): what an engineer types on a normal day
// must stay at its class, since over-blocking sends them to ask for a grant they should not need.
#include "shell_cases.hpp"

#include <catch2/catch.hpp>

using namespace shell_cases;

namespace {

// clang-format off
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

TEST_CASE("everyday command lines stay at their class", "[shell]") {
    std::size_t n = 0;
    for (const Case& c : everyday) {
        const jitgate::guardrails::ShellClassification result = classifier().classify(c.text);
        INFO("everyday case " << n << ": " << c.text);
        INFO("got " << jitgate::config::to_string(result.risk) << ": " << result.reason);
        CHECK(jitgate::config::to_string(result.risk) == jitgate::config::to_string(c.expected));
        ++n;
    }
    CHECK(n >= 75);
}
