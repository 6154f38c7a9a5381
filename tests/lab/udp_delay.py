#!/usr/bin/python3
"""A UDP relay that holds every reply for a fixed delay: the lab's slow SNMP
agent on kernels without sch_netem (tc qdisc netem).

    udp_delay.py LISTEN_ADDR LISTEN_PORT BACKEND_ADDR BACKEND_PORT DELAY_MS

Each request is forwarded at once from its own socket; the backend's replies
are sent back to the requester DELAY_MS later. Replies are not serialised:
many requests in flight each see the same delay, as on a long link. Runs in
the foreground until killed; it only ever talks to BACKEND (inside the same
lab namespace) and to whoever sent it a request.
"""
import asyncio
import sys

MAX_CLIENTS = 1024  # open relay sockets; older ones are closed past this


class Backend(asyncio.DatagramProtocol):
    def __init__(self, front, peer, delay):
        self.front, self.peer, self.delay = front, peer, delay
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        loop = asyncio.get_running_loop()
        loop.call_later(self.delay, self.front.reply, data, self.peer)


class Front(asyncio.DatagramProtocol):
    def __init__(self, backend, delay):
        self.backend, self.delay = backend, delay
        self.transport = None
        self.relays = {}

    def connection_made(self, transport):
        self.transport = transport

    def reply(self, data, peer):
        self.transport.sendto(data, peer)

    def datagram_received(self, data, addr):
        asyncio.ensure_future(self.forward(data, addr))

    async def forward(self, data, addr):
        relay = self.relays.get(addr)
        if relay is None:
            if len(self.relays) >= MAX_CLIENTS:
                old = next(iter(self.relays))
                self.relays.pop(old).close()
            loop = asyncio.get_running_loop()
            relay, _ = await loop.create_datagram_endpoint(
                lambda: Backend(self, addr, self.delay),
                remote_addr=self.backend)
            self.relays[addr] = relay
        relay.sendto(data)


async def main():
    laddr, lport, baddr, bport, delay_ms = sys.argv[1:6]
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(
        lambda: Front((baddr, int(bport)), int(delay_ms) / 1000.0),
        local_addr=(laddr, int(lport)))
    await asyncio.Event().wait()


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    asyncio.run(main())
