# netcensus Windows inventory worker (docs/windows.md): read-only DCE/RPC
# over SMB named pipes with Samba's Python bindings (python3-samba).
#
# netcensus runs this as `/usr/bin/python3 -I -c SCRIPT` in a process of
# its own; the job (host, credentials, limits) arrives as one JSON object
# on stdin, never on the command line or in the environment. Each result
# is one JSON object per line on stdout; the parent resets its per-call
# deadline on each line and kills this process when one is late. Nothing
# here writes, creates or changes anything on the host: only Open*, Enum*,
# Query*, Lookup* and Get* calls, and every handle is opened read-only.
import json
import socket
import sys

try:
    from samba import credentials, NTSTATUSError, WERRORError
    from samba.param import LoadParm
    from samba.dcerpc import lsa, samr, security, srvsvc, svcctl
    from samba.dcerpc import winreg, wkssvc
except ImportError as e:
    print(json.dumps({"event": "fatal",
                      "message": "python3-samba missing: %s" % e}))
    sys.exit(3)

# NTSTATUS codes that mean the credential itself was refused: no other
# credential call is made with it on this host (lockout avoidance)
AUTH_FAILED = {
    0xC000006D: "NT_STATUS_LOGON_FAILURE",
    0xC000006A: "NT_STATUS_WRONG_PASSWORD",
    0xC0000064: "NT_STATUS_NO_SUCH_USER",
    0xC0000234: "NT_STATUS_ACCOUNT_LOCKED_OUT",
    0xC0000072: "NT_STATUS_ACCOUNT_DISABLED",
    0xC000006F: "NT_STATUS_INVALID_LOGON_HOURS",
    0xC0000070: "NT_STATUS_INVALID_WORKSTATION",
    0xC0000071: "NT_STATUS_PASSWORD_EXPIRED",
    0xC0000193: "NT_STATUS_ACCOUNT_EXPIRED",
    0xC0000224: "NT_STATUS_PASSWORD_MUST_CHANGE",
    0xC0000022: "NT_STATUS_ACCESS_DENIED",
}

MAX_ACCESS = 0x02000000
KEY_READ = 0x20019
OS_KEY = "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
BIOS_KEY = "HARDWARE\\DESCRIPTION\\System\\BIOS"
GUID_KEY = "SOFTWARE\\Microsoft\\Cryptography"
TCPIP_KEY = "SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters"
UNINSTALL = [
    ("SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall", "64"),
    ("SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
     "32"),
]
START_MODE = {0: "Boot", 1: "System", 2: "Auto", 3: "Manual", 4: "Disabled"}
STATE = {1: "Stopped", 2: "Start Pending", 3: "Stop Pending", 4: "Running",
         5: "Continue Pending", 6: "Pause Pending", 7: "Paused"}
SHARE_TYPE = {0: "Disk Drive", 1: "Print Queue", 2: "Device", 3: "IPC"}
ENUM_ENTRY = 36  # ENUM_SERVICE_STATUSW: two offsets + SERVICE_STATUS


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def err_text(e):
    """NTSTATUS / WERROR as (code, text)."""
    if isinstance(e, (NTSTATUSError, WERRORError)) and e.args:
        code = e.args[0] & 0xFFFFFFFF
        return code, AUTH_FAILED.get(code, "0x%08X %s" % (
            code, e.args[1] if len(e.args) > 1 else ""))
    return 0, "%s: %s" % (type(e).__name__, e)


def utf16z(buf, off):
    """The NUL-terminated UTF-16LE string at off in buf, bounded by buf;
    None when off lies outside it or no NUL ends the string."""
    if off < 0 or off >= len(buf) or off % 2:
        return None
    end = off
    while end + 1 < len(buf):
        if buf[end] == 0 and buf[end + 1] == 0:
            return buf[off:end].decode("utf-16-le", "replace")
        end += 2
    return None


def services_parse(buf, count, limit):
    """ENUM_SERVICE_STATUSW entries ([MS-SCMR] 2.2.11) from svcctl's
    EnumServicesStatusW buffer: (rows, problem) where problem names an
    entry that lies outside the buffer (it and the rest are dropped)."""
    rows = []
    if count * ENUM_ENTRY > len(buf):
        return rows, "%d entries do not fit in %d bytes" % (count, len(buf))
    for i in range(min(count, limit)):
        e = buf[i * ENUM_ENTRY:(i + 1) * ENUM_ENTRY]
        name_off = int.from_bytes(e[0:4], "little")
        disp_off = int.from_bytes(e[4:8], "little")
        state = int.from_bytes(e[12:16], "little")
        name = utf16z(buf, name_off)
        disp = utf16z(buf, disp_off)
        if name is None or disp is None:
            return rows, "entry %d names a string outside the buffer" % i
        rows.append({"name": name, "description": disp,
                     "state": STATE.get(state, str(state))})
    return rows, None


class Job:
    def __init__(self, req):
        self.host = req["host"]
        self.limit = int(req.get("max_values", 10000))
        self.call_s = max(1, int(req.get("call_timeout_ms", 10000)) // 1000)
        self.lp = LoadParm()
        self.lp.set("client min protocol", "SMB2_02")
        self.cred = None

    def binding(self, pipe):
        return "ncacn_np:%s[\\pipe\\%s]" % (self.host, pipe)

    def pipe(self, mod, cls, name):
        conn = getattr(mod, cls)(self.binding(name), self.lp, self.cred)
        conn.request_timeout = self.call_s
        return conn

    def credential(self, c):
        cr = credentials.Credentials()
        cr.guess(self.lp)
        user = c.get("username", "")
        dom = c.get("domain") or ""
        if "\\" in user:
            dom, user = user.split("\\", 1)
        cr.set_username(user)
        cr.set_password(c.get("password", ""))
        cr.set_domain(dom or self.host)
        cr.set_workstation("NETCENSUS")
        return cr

    # --- each reading: one section (or sys fields) per line ---

    def wkssvc(self):
        w = self.pipe(wkssvc, "wkssvc", "wkssvc")
        i = w.NetWkstaGetInfo(self.host, 100)
        return {"netbios_name": i.server_name or "",
                "workgroup": i.domain_name or "",
                "os_version_rpc": "%d.%d" % (i.version_major,
                                             i.version_minor)}

    def shares(self):
        s = self.pipe(srvsvc, "srvsvc", "srvsvc")
        ctr = srvsvc.NetShareInfoCtr()
        ctr.level = 2
        ctr.ctr = srvsvc.NetShareCtr2()
        r = s.NetShareEnumAll(self.host, ctr, 0xFFFFFFFF, 0)
        rows = []
        for sh in (r[0].ctr.array or [])[:self.limit]:
            t = sh.type & 0x0FFFFFFF
            rows.append({"name": sh.name or "", "path": sh.path or "",
                         "type": SHARE_TYPE.get(t, str(t)),
                         "description": sh.comment or "",
                         "special": bool(sh.type & 0x80000000)})
        return rows

    def services(self):
        sv = self.pipe(svcctl, "svcctl", "svcctl")
        scm = sv.OpenSCManagerW(
            self.host, None,
            svcctl.SC_RIGHT_MGR_CONNECT |
            svcctl.SC_RIGHT_MGR_ENUMERATE_SERVICE)
        r = sv.EnumServicesStatusW(scm, svcctl.SERVICE_TYPE_WIN32,
                                   svcctl.SERVICE_STATE_ALL, 262144, 0)
        rows, problem = services_parse(bytes(r[0]), r[2], self.limit)
        if problem:
            emit({"event": "error", "call": "svcctl.EnumServicesStatusW",
                  "message": problem})
        for row in rows:
            try:
                h = sv.OpenServiceW(scm, row["name"],
                                    svcctl.SC_RIGHT_SVC_QUERY_CONFIG)
                cfg = sv.QueryServiceConfigW(h, 8192)[0]
                sv.CloseServiceHandle(h)
                row["executable"] = cfg.executablepath or ""
                row["user"] = cfg.startname or ""
                row["start_mode"] = START_MODE.get(cfg.start_type,
                                                   str(cfg.start_type))
            except (NTSTATUSError, WERRORError) as e:
                row["config_error"] = err_text(e)[1]
        sv.CloseServiceHandle(scm)
        return rows

    def users_groups(self):
        s = self.pipe(samr, "samr", "samr")
        conn = s.Connect2(None, MAX_ACCESS)
        doms = [d.name.string for d in s.EnumDomains(conn, 0, 4096)[1].entries]
        local = [d for d in doms if d.upper() != "BUILTIN"]
        users, groups = [], []
        sids = {}
        for dname in local[:1]:
            sid = s.LookupDomain(conn, lsa_string(dname))
            h = s.OpenDomain(conn, MAX_ACCESS, sid)
            for e in enum_all(s.EnumDomainUsers, h, 0)[:self.limit]:
                u = {"name": e.name.string, "domain": dname,
                     "caption": "%s\\%s" % (dname, e.name.string),
                     "sid": "%s-%d" % (sid, e.idx), "type": "local"}
                try:
                    uh = s.OpenUser(h, MAX_ACCESS, e.idx)
                    i = s.QueryUserInfo(uh, 21)
                    flags = i.acct_flags
                    u["full_name"] = i.full_name.string or ""
                    u["description"] = i.description.string or ""
                    u["disabled"] = bool(flags & samr.ACB_DISABLED)
                    u["password_expires"] = not flags & samr.ACB_PWNOEXP
                    u["password_required"] = not flags & samr.ACB_PWNOTREQ
                    u["status"] = "Disabled" if u["disabled"] else "OK"
                    s.Close(uh)
                except (NTSTATUSError, WERRORError) as ex:
                    u["info_error"] = err_text(ex)[1]
                sids[u["sid"]] = "%s@%s" % (e.name.string, dname)
                users.append(u)
            groups += self.aliases(s, h, sid, sids)
            yield "domain", {"name": dname, "sid": str(sid)}
        if "BUILTIN" in [d.upper() for d in doms]:
            sid = s.LookupDomain(conn, lsa_string("Builtin"))
            h = s.OpenDomain(conn, MAX_ACCESS, sid)
            groups = self.aliases(s, h, sid, sids) + groups
        # Administrators first, as Windows lists it
        groups.sort(key=lambda g: g["sid"] != "S-1-5-32-544")
        yield "user", users
        yield "user_group", groups

    def aliases(self, s, h, dsid, sids):
        out = []
        for e in enum_all(s.EnumDomainAliases, h, None)[:self.limit]:
            g = {"name": e.name.string, "sid": "%s-%d" % (dsid, e.idx)}
            try:
                ah = s.OpenAlias(h, MAX_ACCESS, e.idx)
                info = s.QueryAliasInfo(ah, samr.ALIASINFODESCRIPTION)
                g["description"] = info.string or ""
                members = s.GetMembersInAlias(ah)
                s.Close(ah)
                g["members"] = ", ".join(
                    sids.get(str(m.sid), self.sid_name(str(m.sid)))
                    for m in (members.sids or [])[:self.limit])
            except (NTSTATUSError, WERRORError) as ex:
                g["members_error"] = err_text(ex)[1]
            out.append(g)
        return out

    def sid_name(self, sid):
        """user@domain as lsarpc names sid, else sid@ (Open-AudIT's form
        for a member it cannot name)."""
        try:
            if not hasattr(self, "lsa"):
                self.lsa = self.pipe(lsa, "lsarpc", "lsarpc")
                self.pol = self.lsa.OpenPolicy2(
                    "", lsa.ObjectAttribute(), MAX_ACCESS)
            sids = lsa.SidArray()
            p = lsa.SidPtr()
            p.sid = security.dom_sid(sid)
            sids.sids = [p]
            sids.num_sids = 1
            names = lsa.TransNameArray()
            doms, names, _ = self.lsa.LookupSids(self.pol, sids, names,
                                                 lsa.LSA_LOOKUP_NAMES_ALL, 0)
            n = names.names[0]
            return "%s@%s" % (n.name.string,
                              doms.domains[n.sid_index].name.string)
        except (NTSTATUSError, WERRORError, IndexError, AttributeError):
            return "%s@" % sid

    def lsa_domain(self):
        la = self.pipe(lsa, "lsarpc", "lsarpc")
        pol = la.OpenPolicy2("", lsa.ObjectAttribute(),
                             MAX_ACCESS)
        acct = la.QueryInfoPolicy(pol, lsa.LSA_POLICY_INFO_ACCOUNT_DOMAIN)
        prim = la.QueryInfoPolicy(pol, lsa.LSA_POLICY_INFO_DOMAIN)
        out = {"windows_account_domain": acct.name.string or "",
               "windows_account_domain_sid": str(acct.sid)}
        if prim.sid is not None:
            out["windows_primary_domain"] = prim.name.string or ""
            out["windows_primary_domain_sid"] = str(prim.sid)
        la.Close(pol)
        return out

    # --- winreg ---

    def registry(self, os_only=False):
        """The registry readings; os_only: CurrentVersion alone."""
        r = self.pipe(winreg, "winreg", "winreg")
        hklm = r.OpenHKLM(None, KEY_READ)
        reg = Reg(r, hklm, self.limit)
        out = {"os": reg.values(OS_KEY)}
        if not os_only:
            out.update({"bios": reg.values(BIOS_KEY),
                        "guid": reg.values(GUID_KEY),
                        "tcpip": reg.values(TCPIP_KEY),
                        "software": self.software(reg)})
        out["problems"] = reg.problems
        r.CloseKey(hklm)
        return out

    @staticmethod
    def software(reg):
        soft = []
        for path, bits in UNINSTALL:
            for sub, vals in reg.subkeys_values(path):
                name = vals.get("DisplayName")
                if not isinstance(name, str) or not name:
                    continue
                soft.append({"name": name,
                             "version": str(vals.get("DisplayVersion", "")),
                             "publisher": str(vals.get("Publisher", "")),
                             "install_date": str(vals.get("InstallDate", "")),
                             "location": str(vals.get("InstallLocation", "")),
                             "uninstall": str(vals.get("UninstallString",
                                                       "")),
                             "type": "windows %s-bit" % bits,
                             "key": sub})
        return soft


def lsa_string(s):
    x = lsa.String()
    x.string = s
    return x


def enum_all(fn, h, resume, rounds=64):
    """Every entry of a SAMR Enum* call, following the resume handle for
    at most rounds calls."""
    out = []
    res = 0
    for _ in range(rounds):
        try:
            if resume is None:
                res, sam, n = fn(h, res, 0xFFFF)
            else:
                res, sam, n = fn(h, res, 0, 0xFFFF)
        except NTSTATUSError as e:
            if e.args[0] & 0xFFFFFFFF != 0x00000105:  # MORE_ENTRIES
                raise
            continue
        out += list(sam.entries or [])
        if not n or res == 0:
            break
    return out


def winreg_string(s):
    x = winreg.String()
    x.name = s
    return x


class Reg:
    """Read-only registry walking with a cap on values and subkeys per key;
    what the cap cut is written to problems (the parent logs it)."""

    def __init__(self, conn, hklm, limit):
        self.c, self.hklm, self.limit = conn, hklm, limit
        self.problems = []

    def open(self, path):
        try:
            return self.c.OpenKey(self.hklm, winreg_string(path), 0,
                                  KEY_READ)
        except WERRORError as e:
            if e.args[0] != 2:  # WERR_FILE_NOT_FOUND: absent, say nothing
                self.problems.append("%s: %s" % (path, err_text(e)[1]))
            return None

    def info(self, h, path):
        cls = winreg_string("")
        i = self.c.QueryInfoKey(h, cls)
        nsub, nval = i[1], i[4]
        for what, n in (("values", nval), ("subkeys", nsub)):
            if n > self.limit:
                self.problems.append(
                    "%s: %d %s, only the first %d read" % (
                        path, n, what, self.limit))
        return min(nsub, self.limit), min(nval, self.limit)

    def values(self, path):
        h = self.open(path)
        if h is None:
            return {}
        _, nval = self.info(h, path)
        out = {}
        for i in range(nval):
            name = winreg.ValNameBuf()
            name.size = 0x4000
            try:
                name, typ, val, size, length = self.c.EnumValue(
                    h, i, name, 0, [0] * 0x10000, 0x10000, 0)
            except WERRORError as e:
                if e.args[0] != 259:  # WERR_NO_MORE_ITEMS
                    self.problems.append("%s: value %d: %s" % (
                        path, i, err_text(e)[1]))
                break
            out[name.name] = reg_value(typ, bytes(val[:length or 0]))
        self.c.CloseKey(h)
        return out

    def subkeys_values(self, path):
        h = self.open(path)
        if h is None:
            return []
        nsub, _ = self.info(h, path)
        names = []
        for i in range(nsub):
            n = winreg.StringBuf()
            n.size = 0x4000
            try:
                n, _, _ = self.c.EnumKey(h, i, n, winreg.StringBuf(), None)
            except WERRORError as e:
                if e.args[0] != 259:
                    self.problems.append("%s: key %d: %s" % (
                        path, i, err_text(e)[1]))
                break
            names.append(n.name)
        self.c.CloseKey(h)
        return [(k, self.values(path + "\\" + k)) for k in names]


def reg_value(typ, data):
    """A registry value as JSON: strings (REG_SZ 1, REG_EXPAND_SZ 2),
    numbers (REG_DWORD 4, REG_QWORD 11), lists (REG_MULTI_SZ 7), else hex."""
    if typ in (1, 2):
        return data.decode("utf-16-le", "replace").split("\0", 1)[0]
    if typ == 7:
        return [s for s in data.decode("utf-16-le", "replace").split("\0")
                if s]
    if typ == 4 and len(data) == 4:
        return int.from_bytes(data, "little")
    if typ == 11 and len(data) == 8:
        return int.from_bytes(data, "little")
    return data[:256].hex()


def unreachable(host, timeout):
    """Why 445/tcp of host cannot be reached, or None when it can: Samba
    reports a refused connection as NT_STATUS_NO_MEMORY, so a failed
    first call is explained by the plain TCP connect."""
    try:
        socket.create_connection((host, 445), timeout).close()
        return None
    except OSError as e:
        return "445/tcp: %s" % (e.strerror or e)


def run(req):
    job = Job(req)
    creds = req.get("creds", [])
    # Python and Samba's modules have loaded: the parent's wait for the
    # next line starts again, so a slow start does not eat the login's time
    emit({"event": "call", "call": "wkssvc"})
    for c in creds:
        job.cred = job.credential(c)
        try:
            sysf = job.wkssvc()
        except (NTSTATUSError, WERRORError) as e:
            code, text = err_text(e)
            if code in AUTH_FAILED:
                emit({"event": "auth", "credential": c.get("name", ""),
                      "index": c.get("index", 0), "ok": False, "status": text})
                continue
            emit({"event": "fatal", "call": "wkssvc",
                  "message": unreachable(job.host, job.call_s) or text})
            return 1
        emit({"event": "auth", "credential": c.get("name", ""),
              "index": c.get("index", 0), "ok": True})
        emit({"event": "sys", "fields": sysf})
        break
    else:
        emit({"event": "done", "ok": False})
        return 2
    if req.get("login_only"):
        # a credential test: the login and what it read, plus the OS key
        # (one winreg read); nothing else
        emit({"event": "call", "call": "winreg"})
        try:
            emit({"event": "section", "name": "registry",
                  "rows": job.registry(os_only=True)})
        except Exception as e:
            emit({"event": "error", "call": "winreg",
                  "message": err_text(e)[1]})
        emit({"event": "done", "ok": True})
        return 0
    steps = [("lsarpc", lambda: [("sys", job.lsa_domain())]),
             ("srvsvc", lambda: [("share", job.shares())]),
             ("svcctl", lambda: [("service", job.services())]),
             ("samr", lambda: list(job.users_groups())),
             ("winreg", lambda: [("registry", job.registry())])]
    for call, fn in steps:
        emit({"event": "call", "call": call})
        try:
            for name, rows in fn():
                if name == "sys":
                    emit({"event": "sys", "fields": rows})
                else:
                    emit({"event": "section", "name": name, "rows": rows})
        except Exception as e:  # one interface failing ends only itself
            emit({"event": "error", "call": call, "message": err_text(e)[1]})
    emit({"event": "done", "ok": True})
    return 0


def main():
    try:
        req = json.loads(sys.stdin.read(1 << 20))
    except ValueError as e:
        emit({"event": "fatal", "message": "bad job: %s" % e})
        return 3
    return run(req)


if __name__ == "__main__":
    sys.exit(main())
