/*
 * 107-ipv6-datagram's connect(): a UDP socket over IPv6 connected to
 * [::1]:4242 (nothing needs to listen: a datagram socket's connect() only
 * sets its peer).  Prints "connected" and exits 0 when connect() did.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct sockaddr_in6 addr = { .sin6_family = AF_INET6, .sin6_port = htons(4242),
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int s = socket(AF_INET6, SOCK_DGRAM, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("connect");
		return 1;
	}
	puts("connected");
	close(s);
	return 0;
}
