import Foundation

/// A TUN device that sends every IPv4 packet back with its source and destination swapped after a
/// delay: a connection to ``farAddress`` reaches a listener on ``nearAddress``, and each way
/// crosses the device once, so the kernel measures a round trip of twice the delay (what a long
/// network path gives, with no netem in the kernel). Swapping the two addresses leaves the IP and
/// TCP checksums as they were. Needs root, `/dev/net/tun`, ip(8) and python3; the device goes
/// when the reflector stops.
public final class PacketReflector: Sendable {
    /// The device's own address, where a server listens.
    public let nearAddress = "10.213.77.1"
    /// The address a client connects to, answered by the listener on ``nearAddress``.
    public let farAddress = "10.213.77.2"
    private let pid: pid_t

    /// Whether this machine can make one.
    public static var available: Bool {
        geteuid() == 0 && FileManager.default.fileExists(atPath: "/dev/net/tun") && Peers.executable("ip") != nil
            && Peers.executable("python3") != nil
    }

    private static let script = """
        import fcntl, heapq, os, struct, subprocess, sys, threading, time
        name, address, delay = sys.argv[1], sys.argv[2], float(sys.argv[3]) / 1000
        fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(fd, 0x400454CA, struct.pack("16sH", name.encode(), 0x0001 | 0x1000))  # TUNSETIFF, IFF_TUN | IFF_NO_PI
        subprocess.run([sys.argv[4], "addr", "add", address + "/24", "dev", name], check=True)
        subprocess.run([sys.argv[4], "link", "set", name, "mtu", "65000", "up"], check=True)
        queue, ready = [], threading.Condition()
        def send():
            while True:
                with ready:
                    while not queue or queue[0][0] > time.monotonic():
                        ready.wait(max(0, queue[0][0] - time.monotonic()) if queue else None)
                    packet = heapq.heappop(queue)[2]
                os.write(fd, packet)
        threading.Thread(target=send, daemon=True).start()
        print("ready", flush=True)
        count = 0
        while True:
            packet = bytearray(os.read(fd, 65535))
            if len(packet) < 20 or packet[0] >> 4 != 4:
                continue
            packet[12:16], packet[16:20] = packet[16:20], packet[12:16]
            count += 1
            with ready:
                heapq.heappush(queue, (time.monotonic() + delay, count, bytes(packet)))
                ready.notify()
        """

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Makes the device `pmkrefl0` and starts reflecting with `delayMilliseconds` each way.
    public static func start(delayMilliseconds: Int) async throws -> PacketReflector {
        try await Peers.detached {
            let directory = try Peers.temporaryDirectory("paramiko-reflector")
            let scriptPath = directory.appendingPathComponent("reflect.py").path
            try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
            let log = directory.appendingPathComponent("reflect.log").path
            let pid = try PeerSpawn.spawn(
                [Peers.executable("python3") ?? "python3", scriptPath, "pmkrefl0", "10.213.77.1", "\(delayMilliseconds)",
                 Peers.executable("ip") ?? "ip"],
                output: .file(log))
            for _ in 0..<250 {
                if (try? String(contentsOfFile: log, encoding: .utf8))?.contains("ready") == true {
                    return PacketReflector(pid: pid)
                }
                guard PeerSpawn.isRunning(pid) else { break }
                usleep(20_000)
            }
            PeerSpawn.stop(pid)
            throw PeerError("the reflector did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
    }

    /// Stops reflecting; the device goes with the process.
    public func stop() {
        PeerSpawn.stop(pid)
    }
}
