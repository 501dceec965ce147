import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An MIT Kerberos realm of its own for the tests of one process: a KDC on 127.0.0.1, the host
/// principals `host/localhost` and `host/127.0.0.1` in a keytab for servers, and a ticket for the
/// user running the tests. Started once; the process's environment then names its files
/// (`KRB5_CONFIG`, `KRB5CCNAME`, `KRB5_KTNAME`), so that the GSS-API library in this process,
/// and every peer started after, uses the realm and nothing in /etc.
public final class KerberosRealm: @unchecked Sendable {
    /// The realm's name.
    public static let name = "PARAMIKO.TEST"
    /// The directory holding its database, configuration, keytabs and caches.
    public let directory: URL
    /// The keytab with the host principals' keys.
    public let serverKeytab: String
    /// The ticket cache holding the test user's ticket.
    public let ticketCache: String
    /// The local user the ticket is for; its principal is `user@PARAMIKO.TEST`.
    public let user: String
    /// A principal that exists but maps to no local account used by the tests.
    public let strangerKeytab: String
    private let userKeytab: String
    private let kdc: pid_t

    private static let lock = NSLock()
    nonisolated(unsafe) private static var shared: Result<KerberosRealm, Error>?
    /// The KDC and the directory, for the exit handler: the shared realm lives as long as the process.
    nonisolated(unsafe) private static var running: (kdc: pid_t, directory: String)?

    /// Whether the KDC's programs are installed (or must be, under CI).
    public static var available: Bool {
        ["krb5kdc", "kdb5_util", "kadmin.local", "kinit"].allSatisfy { Peers.executable($0) != nil } || Peers.required
    }

    /// The realm, started on first use.
    public static func start() async throws -> KerberosRealm {
        try await Peers.detached {
            lock.lock()
            defer { lock.unlock() }
            if shared == nil { shared = Result { try KerberosRealm() } }
            return try shared!.get()
        }
    }

    /// The environment of a process without a ticket: a cache that does not exist.
    public var withoutTicket: [String: String] {
        ["KRB5CCNAME": "FILE:" + directory.appendingPathComponent("no-ticket").path]
    }

    /// A ticket cache for another principal of the realm, `stranger@PARAMIKO.TEST`.
    public func strangerTicketCache() throws -> String {
        let cache = "FILE:" + directory.appendingPathComponent("stranger-ccache").path
        let kinit = try Self.tool("kinit")
        let result = try Peers.run(
            [kinit, "-k", "-t", strangerKeytab, "stranger@\(Self.name)"], environment: ["KRB5CCNAME": cache])
        guard result.status == 0 else { throw PeerError("kinit stranger failed: \(result.output)") }
        return cache
    }

    /// A cache collection (`DIR:`) holding the test user's ticket and the stranger's, the
    /// stranger's the primary one: what GSSAPIClientIdentity chooses from.
    public func collectionWithBothTickets() throws -> String {
        let collection = "DIR:" + directory.appendingPathComponent("collection").path
        try? FileManager.default.createDirectory(
            at: directory.appendingPathComponent("collection"), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let kinit = try Self.tool("kinit")
        for (keytab, principal) in [(userKeytab, "\(user)@\(Self.name)"), (strangerKeytab, "stranger@\(Self.name)")] {
            let result = try Peers.run([kinit, "-k", "-t", keytab, principal], environment: ["KRB5CCNAME": collection])
            guard result.status == 0 else { throw PeerError("kinit \(principal) failed: \(result.output)") }
        }
        return collection
    }

    private init() throws {
        directory = try Peers.temporaryDirectory("krb5")
        user = String(cString: getpwuid(geteuid()).pointee.pw_name)
        let port = freeLoopbackPort()
        let config = directory.appendingPathComponent("krb5.conf").path
        let kdcConfig = directory.appendingPathComponent("kdc.conf").path
        let database = directory.appendingPathComponent("principal").path
        try """
        [libdefaults]
            default_realm = \(Self.name)
            dns_lookup_kdc = false
            dns_lookup_realm = false
            dns_canonicalize_hostname = false
            rdns = false
            forwardable = true
            udp_preference_limit = 1
        [realms]
            \(Self.name) = {
                kdc = 127.0.0.1:\(port)
            }
        [domain_realm]
            localhost = \(Self.name)
            127.0.0.1 = \(Self.name)

        """.write(toFile: config, atomically: true, encoding: .utf8)
        try """
        [kdcdefaults]
            kdc_listen = 127.0.0.1:\(port)
            kdc_tcp_listen = 127.0.0.1:\(port)
        [realms]
            \(Self.name) = {
                database_name = \(database)
                key_stash_file = \(directory.path)/stash
                acl_file = \(directory.path)/kadm5.acl
                kdc_listen = 127.0.0.1:\(port)
                kdc_tcp_listen = 127.0.0.1:\(port)
                supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
            }
        [logging]
            kdc = FILE:\(directory.path)/kdc.log

        """.write(toFile: kdcConfig, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: directory.path + "/kadm5.acl", contents: Data())
        serverKeytab = directory.appendingPathComponent("server.keytab").path
        strangerKeytab = directory.appendingPathComponent("stranger.keytab").path
        userKeytab = directory.appendingPathComponent("user.keytab").path
        ticketCache = "FILE:" + directory.appendingPathComponent("ccache").path
        let environment = [
            "KRB5_CONFIG": config, "KRB5_KDC_PROFILE": kdcConfig, "KRB5CCNAME": ticketCache,
            "KRB5_KTNAME": "FILE:" + serverKeytab, "KRB5RCACHEDIR": directory.path,
        ]
        // From here on this process and the peers it starts use the realm.
        for (name, value) in environment { setenv(name, value, 1) }

        let util = try Self.tool("kdb5_util")
        let created = try Peers.run([util, "create", "-s", "-r", Self.name, "-P", "master-\(UUID().uuidString)"])
        guard created.status == 0 else { throw PeerError("kdb5_util create failed: \(created.output)") }
        let admin = try Self.tool("kadmin.local")
        for query in [
            "addprinc -randkey host/localhost", "addprinc -randkey host/127.0.0.1", "addprinc -randkey \(user)",
            "addprinc -randkey stranger", "ktadd -k \(serverKeytab) host/localhost host/127.0.0.1",
            "ktadd -k \(userKeytab) \(user)", "ktadd -k \(strangerKeytab) stranger",
        ] {
            let result = try Peers.run([admin, "-r", Self.name, "-q", query])
            guard result.status == 0 else { throw PeerError("kadmin.local \(query) failed: \(result.output)") }
        }
        let log = directory.appendingPathComponent("krb5kdc.out").path
        kdc = try PeerSpawn.spawn([try Self.tool("krb5kdc"), "-n", "-r", Self.name], output: .file(log))
        var up = false
        for _ in 0..<250 where !up {
            up = loopbackPortAccepts(port)
            if !up { usleep(20_000) }
        }
        Self.running = (kdc, directory.path)
        atexit {
            guard let running = KerberosRealm.running else { return }
            PeerSpawn.stop(running.kdc)
            try? FileManager.default.removeItem(atPath: running.directory)
        }
        guard up else { throw PeerError("krb5kdc did not listen: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")") }
        let kinit = try Self.tool("kinit")
        let ticket = try Peers.run([kinit, "-k", "-t", userKeytab, "\(user)@\(Self.name)"])
        guard ticket.status == 0 else { throw PeerError("kinit failed: \(ticket.output)") }
    }

    private static func tool(_ name: String) throws -> String {
        guard let path = Peers.executable(name) else { throw PeerError("\(name) is not installed (krb5-kdc, krb5-admin-server, krb5-user)") }
        return path
    }

    deinit {
        PeerSpawn.stop(kdc)
        try? FileManager.default.removeItem(at: directory)
        Self.running = nil
    }
}
