/* test_proxy.c — trusted_proxies (CIDRs, IPv4 and IPv6) and the client
 * address X-Forwarded-For gives behind them. */
#include <stdlib.h>

#include "core/config.h"
#include "core/proxy.h"
#include "unit.h"

static const char *client(const struct proxy_list *l, const char *peer, const char *xff1,
                          const char *xff2)
{
    static char out[PROXY_ADDR_LEN];
    const char *xff[2] = {xff1, xff2};
    proxy_client_addr(l, peer, xff, xff2 ? 2 : xff1 ? 1 : 0, out);
    return out;
}

static bool bad(const char *text)
{
    struct proxy_list l;
    char err[200];
    bool ok = proxy_parse(text, &l, err, sizeof err);
    proxy_list_free(&l);
    return !ok;
}

void test_proxy(void)
{
    struct proxy_list l;
    char err[200];

    /* parsing */
    CHECK(proxy_parse("", &l, err, sizeof err) && l.n == 0);
    CHECK(proxy_parse("  ", &l, err, sizeof err) && l.n == 0);
    CHECK(proxy_parse("10.0.0.0/8, 192.168.1.5 ,::1,fd00::/8, 172.16.0.0/12", &l, err, sizeof err));
    CHECK(l.n == 5);
    CHECK(proxy_is_trusted(&l, "10.1.2.3") && proxy_is_trusted(&l, "10.255.255.255"));
    CHECK(!proxy_is_trusted(&l, "11.0.0.1") && !proxy_is_trusted(&l, "9.255.255.255"));
    CHECK(proxy_is_trusted(&l, "192.168.1.5") && !proxy_is_trusted(&l, "192.168.1.6"));
    CHECK(proxy_is_trusted(&l, "::1") && !proxy_is_trusted(&l, "::2"));
    CHECK(proxy_is_trusted(&l, "fd12:3456::1") && !proxy_is_trusted(&l, "fe80::1"));
    CHECK(proxy_is_trusted(&l, "172.31.255.1") && !proxy_is_trusted(&l, "172.32.0.1"));
    CHECK(proxy_is_trusted(&l, "::ffff:10.9.9.9")); /* a dual-stack socket's IPv4 peer */
    CHECK(!proxy_is_trusted(&l, "nonsense") && !proxy_is_trusted(&l, ""));
    proxy_list_free(&l);
    CHECK(proxy_parse("0.0.0.0/0", &l, err, sizeof err) && proxy_is_trusted(&l, "1.2.3.4"));
    CHECK(!proxy_is_trusted(&l, "2001:db8::1")); /* /0 of IPv4 is not IPv6 */
    proxy_list_free(&l);
    CHECK(proxy_parse("::ffff:10.0.0.0/104", &l, err, sizeof err) &&
          proxy_is_trusted(&l, "10.3.3.3"));
    proxy_list_free(&l);
    CHECK(proxy_parse("2001:db8:0:1::/64", &l, err, sizeof err));
    CHECK(proxy_is_trusted(&l, "2001:db8:0:1:ffff::9") && !proxy_is_trusted(&l, "2001:db8:0:2::1"));
    proxy_list_free(&l);
    CHECK(proxy_parse("10.0.0.0/9", &l, err, sizeof err) && proxy_is_trusted(&l, "10.127.0.1") &&
          !proxy_is_trusted(&l, "10.128.0.1"));
    proxy_list_free(&l);

    CHECK(bad("10.0.0.0/33") && bad("::/129") && bad("10.0.0.0/") && bad("10.0.0.0/x"));
    CHECK(bad("10.0.0.1/8")); /* host bits right of the prefix */
    CHECK(bad("10.0.0.0/8,,::1") && bad("10.0.0.0/8,") && bad(",::1"));
    CHECK(bad("proxy.example.org") && bad("10.0.0") && bad("1.2.3.4.5") && bad("::g"));
    CHECK(bad("10.0.0.0/-1") && bad("10.0.0.0/1000") && bad("/8"));

    /* the config key: a bad value is an error naming the key */
    struct config c;
    config_defaults(&c);
    CHECK_STR(c.trusted_proxies, "");
    CHECK(config_set(&c, "trusted_proxies", "127.0.0.1, ::1", err, sizeof err));
    CHECK(!config_set(&c, "trusted_proxies", "127.0.0.1, localhost", err, sizeof err));
    CHECK(strstr(err, "trusted_proxies") != NULL && strstr(err, "localhost") != NULL);
    CHECK_STR(c.trusted_proxies, "127.0.0.1, ::1"); /* unchanged by the refusal */
    /* the throttles' defaults (gess.conf.example says why) */
    CHECK(c.login_window_s == 600 && c.login_pair_max == 5 && c.login_backoff_s == 30);
    CHECK(c.login_max_per_email == 50 && c.login_max_per_address == 1000);
    CHECK(c.signup_max_per_address == 500 && c.housekeeping_interval == 3600);
    CHECK(config_set(&c, "housekeeping_interval", "0", err, sizeof err));
    CHECK(!config_set(&c, "login_backoff_s", "0", err, sizeof err));
    CHECK(!config_set(&c, "signup_max_per_address", "0", err, sizeof err));
    config_free(&c);

    /* no proxies: the peer, whatever the header says */
    struct proxy_list none = {NULL, 0};
    CHECK_STR(client(&none, "203.0.113.7", "1.2.3.4", NULL), "203.0.113.7");
    CHECK_STR(client(&none, "::ffff:203.0.113.7", NULL, NULL), "203.0.113.7");
    CHECK_STR(client(&none, "2001:DB8::1", NULL, NULL), "2001:db8::1");
    CHECK_STR(client(&none, "unknown", NULL, NULL), "unknown");

    CHECK(proxy_parse("10.0.0.0/8, 2001:db8:ffff::/48", &l, err, sizeof err));
    /* an untrusted peer: the header is ignored */
    CHECK_STR(client(&l, "198.51.100.1", "1.2.3.4", NULL), "198.51.100.1");
    /* a trusted peer: the right-most untrusted address */
    CHECK_STR(client(&l, "10.0.0.2", "198.51.100.9", NULL), "198.51.100.9");
    CHECK_STR(client(&l, "10.0.0.2", "6.6.6.6, 198.51.100.9", NULL), "198.51.100.9");
    CHECK_STR(client(&l, "10.0.0.2", "6.6.6.6, 198.51.100.9, 10.0.0.3", NULL), "198.51.100.9");
    CHECK_STR(client(&l, "10.0.0.2", "6.6.6.6,198.51.100.9 ,  10.0.0.3  ", NULL), "198.51.100.9");
    /* several headers read as one list, in order */
    CHECK_STR(client(&l, "10.0.0.2", "6.6.6.6", "198.51.100.9, 10.0.0.3"), "198.51.100.9");
    CHECK_STR(client(&l, "10.0.0.2", "198.51.100.9", "10.0.0.3"), "198.51.100.9");
    CHECK_STR(client(&l, "10.0.0.2", "198.51.100.9", ""), "198.51.100.9");
    /* forms of addresses: ports, brackets, IPv6, mapped IPv4, case */
    CHECK_STR(client(&l, "10.0.0.2", "198.51.100.9:5123", NULL), "198.51.100.9");
    CHECK_STR(client(&l, "10.0.0.2", "[2001:DB8::5]:443", NULL), "2001:db8::5");
    CHECK_STR(client(&l, "10.0.0.2", "2001:db8::5", NULL), "2001:db8::5");
    CHECK_STR(client(&l, "10.0.0.2", "::ffff:198.51.100.9", NULL), "198.51.100.9");
    CHECK_STR(client(&l, "::ffff:10.0.0.2", "198.51.100.9", NULL), "198.51.100.9");
    CHECK_STR(client(&l, "2001:db8:ffff::1", "198.51.100.9, 2001:db8:ffff::2", NULL),
              "198.51.100.9");
    /* every hop trusted: the left-most of them */
    CHECK_STR(client(&l, "10.0.0.2", "10.0.0.9, 10.0.0.3", NULL), "10.0.0.9");
    /* no header from a trusted peer: the peer */
    CHECK_STR(client(&l, "10.0.0.2", NULL, NULL), "10.0.0.2");
    /* not an address: the trusted hop that wrote it */
    CHECK_STR(client(&l, "10.0.0.2", "198.51.100.9, garbage, 10.0.0.3", NULL), "10.0.0.3");
    CHECK_STR(client(&l, "10.0.0.2", "garbage", NULL), "10.0.0.2");
    CHECK_STR(client(&l, "10.0.0.2", "unknown, 198.51.100.9", NULL), "198.51.100.9");
    CHECK_STR(client(&l, "10.0.0.2", "198.51.100.9, , 10.0.0.3", NULL), "198.51.100.9");
    CHECK_STR(client(&l, "10.0.0.2", "[::1", NULL), "10.0.0.2");
    CHECK_STR(client(&l, "10.0.0.2", "1.2.3.4:", NULL), "10.0.0.2");
    proxy_list_free(&l);

    /* what the per-address rules count: IPv4 as is, IPv6 by its /64 */
    char key[PROXY_ADDR_LEN];
    proxy_addr_key("198.51.100.9", key);
    CHECK_STR(key, "198.51.100.9");
    proxy_addr_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", key);
    CHECK_STR(key, "2001:db8:1:2::/64");
    proxy_addr_key("2001:DB8:1:2::1", key);
    CHECK_STR(key, "2001:db8:1:2::/64");
    proxy_addr_key("::1", key);
    CHECK_STR(key, "::/64");
    proxy_addr_key("::ffff:10.1.2.3", key);
    CHECK_STR(key, "10.1.2.3");
    proxy_addr_key("unknown", key);
    CHECK_STR(key, "unknown");
    proxy_addr_key("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", key);
    CHECK_STR(key, "ffff:ffff:ffff:ffff::/64");
}
