/*
 * 133-module-tracepoint's traffic: a DCCP connection to ourselves over
 * the loopback, on a port of the kernel's choice, one message.  Prints
 * "ping" and exits 0 when it arrived.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/dccp.h>

#ifndef SOL_DCCP
#define SOL_DCCP 269
#endif

static int fail(const char *what)
{
	perror(what);
	return 1;
}

/* A DCCP socket with service code 42. */
static int dccp_socket(void)
{
	unsigned int service = htonl(42);
	int s = socket(AF_INET, SOCK_DCCP, IPPROTO_DCCP);

	if (s >= 0 && setsockopt(s, SOL_DCCP, DCCP_SOCKOPT_SERVICE, &service,
				 sizeof(service)))
		return -1;
	return s;
}

int main(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	char buf[8] = "";
	int l, c, a;

	l = dccp_socket();
	if (l < 0 || bind(l, (struct sockaddr *)&addr, sizeof(addr)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&addr, &len))
		return fail("listen");
	c = dccp_socket();
	if (c < 0 || connect(c, (struct sockaddr *)&addr, sizeof(addr)))
		return fail("connect");
	a = accept(l, NULL, NULL);
	if (a < 0)
		return fail("accept");
	if (send(c, "ping", 4, 0) != 4 || recv(a, buf, sizeof(buf) - 1, 0) != 4)
		return fail("ping");
	puts(buf);
	close(a);
	close(c);
	close(l);
	return 0;
}
