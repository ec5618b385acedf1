#!/usr/bin/python3
"""Golden ILDG (LIME) and openQCD files for tests/test_ildg.cpp, test_openqcd.cpp and
test_configuration_file.cpp, packed byte by byte with struct, numpy and zlib, independently of
fpgauge.

Two configurations:

  dyadic  2x2x2x2: every link a product of up to three SU(3) matrices with entries in
          {0, +-1, +-i, (+-1 +- i)/2} (SU(2) blocks, phases, a permutation). All products, traces and sums of
          such numbers are exact in binary floating point, in any order, so the plaquette and
          link trace are exact rationals (checked here with Fractions) and fpgauge must print
          and store exactly the same numbers: fpgauge's own output is compared with these files
          byte for byte.
  generic 2x2x2x4: the links exp(i 0.4 H) of make_nersc_golden.py, taken bit for bit from the
          payload of nersc_2x2x2x4_3x3_ieee64big.nersc (recomputing them could differ in the
          last bit with another numpy), so one configuration is read from three formats.

Files:
  ildg_2x2x2x2_dyadic_64.lime     fpgauge's ILDG record layout (src/fpgauge/io/Ildg.h), 64 bit
  ildg_2x2x2x2_dyadic_32.lime     the same, 32 bit
  openqcd_2x2x2x2_dyadic.oqcd     openQCD export format
  ildg_2x2x2x4_64_foreign.lime    as other writers lay it out (tmLQCD/QIO style): xlf-info
                                  first, ildg-format with attributes and whitespace, checksum
                                  written "0x%08x", a usqcdInfo after the data with 6 digits
  ildg_2x2x2x4_32_foreign.lime    32 bit, no checksum and no LFN, the last record unpadded
  openqcd_2x2x2x4.oqcd            openQCD export format, plaquette summed by numpy
and ildg_openqcd_golden.json with each file's lattice, precision, plaquette and link trace (of
the field as stored, 1 on the unit field), SciDAC checksum, and the metadata fpgauge needs to
reproduce the dyadic files.

Conventions (SPEC sections 1 and 9). ILDG binary data: sites x fastest, mu = 0..3 = x,y,z,t,
links row-major (re, im), big-endian. SciDAC checksum (QIO DML_checksum_accum): c = crc32 of a
site's stored bytes, suma ^= rotl(c, rank % 29), sumb ^= rotl(c, rank % 31), rank = site index.
LIME record: 144-byte big-endian header (magic 0x456789ab, version 1, MB 0x80 / ME 0x40 flags,
data length, 128-byte type), data zero-padded to 8 bytes. openQCD export (archive.c
export_cnfg): int32 N0..N3 (N0 = time), double plaquette (1/(6V)) sum Re tr U_p, then for each
odd site, t slowest and z fastest, U(x,0), U(x-0,0), ..., U(x,3), U(x-3,3), openQCD direction
0 = time, 1, 2, 3 = x, y, z; little-endian.

Run from anywhere: /usr/bin/python3 tests/golden/make_ildg_openqcd_golden.py
"""
import json
import math
import pathlib
import struct
import zlib
from fractions import Fraction

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent
NERSC_SOURCE = "nersc_2x2x2x4_3x3_ieee64big.nersc"

DYADIC_EXTENTS = (2, 2, 2, 2)  # (Lx, Ly, Lz, Lt)
DYADIC_SEED = 20240402
GENERIC_EXTENTS = (2, 2, 2, 4)
LFN = "lfn://fpgauge/golden/dyadic"
INFO = "make_ildg_openqcd_golden.py"
XML = '<?xml version="1.0" encoding="UTF-8"?>'
LIME_MAGIC = 0x456789AB


# ---- configurations: links[t, z, y, x, mu] is a 3x3 complex matrix ----

def dyadic_factors():
    """SU(3) matrices with entries in {0, +-1, +-i, (+-1 +- i)/2}."""
    factors = []
    halves = [complex(a, b) / 2 for a in (1, -1) for b in (1, -1)]
    for i, j in ((0, 1), (1, 2), (0, 2)):
        for a in halves:
            for b in halves:
                m = np.eye(3, dtype=complex)
                m[i, i], m[i, j], m[j, i], m[j, j] = a, b, -np.conj(b), np.conj(a)
                factors.append(m)
    for phases in ((1j, 1j, -1), (1j, -1j, 1), (-1, -1, 1), (-1j, 1, 1j)):
        factors.append(np.diag(phases).astype(complex))
    factors.append(np.roll(np.eye(3, dtype=complex), 1, axis=0))  # cyclic permutation, det 1
    return factors


def make_dyadic_links():
    lx, ly, lz, lt = DYADIC_EXTENTS
    rng = np.random.default_rng(DYADIC_SEED)
    factors = dyadic_factors()
    links = np.empty((lt, lz, ly, lx, 4, 3, 3), dtype=complex)
    for index in np.ndindex(lt, lz, ly, lx, 4):
        # each factor the identity with probability 1/2: a field nearer the unit field
        links[index] = np.eye(3)
        for k in rng.integers(len(factors), size=3):
            if rng.random() < 0.5:
                links[index] = links[index] @ factors[k]
    return links


def extents_of(links):
    lt, lz, ly, lx = links.shape[:4]
    return (lx, ly, lz, lt)


def shift(field, mu, steps):
    """field(x + steps mu); axis of direction mu in [t, z, y, x]: x -> 3, y -> 2, z -> 1, t -> 0"""
    return np.roll(field, -steps, axis=3 - mu)


def plaquette_traces(links):
    """Re tr P_mu,nu(x) for every site and mu < nu, as an array."""
    traces = []
    for mu in range(4):
        for nu in range(mu + 1, 4):
            u_mu, u_nu = links[..., mu, :, :], links[..., nu, :, :]
            p = u_mu @ shift(u_nu, mu, 1) @ shift(u_mu, nu, 1).conj().swapaxes(-1, -2) @ \
                u_nu.conj().swapaxes(-1, -2)
            traces.append(np.trace(p, axis1=-2, axis2=-1).real)
    return np.stack(traces)


def plaquette(links):
    return plaquette_traces(links).sum() / (18 * np.prod(extents_of(links)))


def link_trace(links):
    return np.trace(links, axis1=-2, axis2=-1).real.sum() / (12 * np.prod(extents_of(links)))


def generic_links():
    """The links of the NERSC golden file: 3x3 IEEE64BIG payload after END_HEADER."""
    data = (OUT / NERSC_SOURCE).read_bytes()
    payload = data[data.index(b"END_HEADER\n") + len(b"END_HEADER\n"):]
    lx, ly, lz, lt = GENERIC_EXTENTS
    numbers = np.array(struct.unpack(f">{len(payload) // 8}d", payload))
    pairs = numbers.reshape(lt, lz, ly, lx, 4, 3, 3, 2)
    return pairs[..., 0] + 1j * pairs[..., 1]


# ---- exact arithmetic for the dyadic configuration ----

def exact(m):
    """A complex array as two object arrays of Fractions (re, im)."""
    to_fraction = np.vectorize(Fraction, otypes=[object])
    return to_fraction(m.real), to_fraction(m.imag)


def exact_plaquette_sum(links):
    """sum Re tr P over all plaquettes, in rationals; also checks that numpy's is the same."""
    def mul(a, b):
        return a[0] @ b[0] - a[1] @ b[1], a[0] @ b[1] + a[1] @ b[0]

    def dagger(a):
        return a[0].T, -a[1].T

    lx, ly, lz, lt = extents_of(links)
    total = Fraction(0)
    numeric = plaquette_traces(links)
    k = 0
    for mu in range(4):
        for nu in range(mu + 1, 4):
            for t, z, y, x in np.ndindex(lt, lz, ly, lx):
                here = (t, z, y, x)
                step = [0, 0, 0, 0]
                step[3 - mu] = 1
                x_mu = tuple((c + s) % n for c, s, n in zip(here, step, (lt, lz, ly, lx)))
                step = [0, 0, 0, 0]
                step[3 - nu] = 1
                x_nu = tuple((c + s) % n for c, s, n in zip(here, step, (lt, lz, ly, lx)))
                p = mul(mul(mul(exact(links[here + (mu,)]), exact(links[x_mu + (nu,)])),
                            dagger(exact(links[x_nu + (mu,)]))), dagger(exact(links[here + (nu,)])))
                re_tr = p[0][0, 0] + p[0][1, 1] + p[0][2, 2]
                assert re_tr == Fraction(numeric[k][here]), "numpy's plaquette is not exact"
                total += re_tr
            k += 1
    return total


def exactly_rounded(q):
    """The double nearest to the rational q, refusing q so close to a tie between two doubles
    that rounding first to long double (64 or 113 bits, as fpgauge's long double sums do) could
    give another double."""
    d = q.numerator / q.denominator  # Python rounds integer division correctly
    for other in (math.nextafter(d, math.inf), math.nextafter(d, -math.inf)):
        midpoint = (Fraction(d) + Fraction(other)) / 2
        assert abs(q - midpoint) > abs(q) / 2**62, f"{q} is too close to a rounding tie"
    return d


# ---- LIME / ILDG ----

def lime_record(record_type, data, mb, me):
    flags = (0x80 if mb else 0) | (0x40 if me else 0)
    header = struct.pack(">IHBBQ128s", LIME_MAGIC, 1, flags, 0, len(data), record_type.encode())
    assert len(header) == 144
    return header + data + b"\0" * (-len(data) % 8)


def ildg_binary(links, bits):
    numbers = np.stack([links.real, links.imag], axis=-1).reshape(-1)
    return struct.pack(f">{numbers.size}{'f' if bits == 32 else 'd'}", *numbers)


def scidac_checksum(binary, volume):
    site_bytes = len(binary) // volume
    suma = sumb = 0
    for rank in range(volume):
        crc = zlib.crc32(binary[rank * site_bytes:(rank + 1) * site_bytes])
        for shift_, modulus in ((rank % 29, "a"), (rank % 31, "b")):
            rotated = ((crc << shift_) | (crc >> (32 - shift_))) & 0xFFFFFFFF
            if modulus == "a":
                suma ^= rotated
            else:
                sumb ^= rotated
    return suma, sumb


def as_stored(links, bits):
    return links.astype(np.complex64).astype(complex) if bits == 32 else links


def usqcd_info(plaq, linktr, info):
    return (f"{XML}<usqcdInfo><version>1.0</version><plaq>{plaq:.12f}</plaq>"
            f"<linktr>{linktr:.12f}</linktr><info>{info}</info></usqcdInfo>")


def fpgauge_ildg(links, bits, plaq, linktr):
    """fpgauge's record layout (src/fpgauge/io/Ildg.h), restated independently."""
    lx, ly, lz, lt = extents_of(links)
    binary = ildg_binary(links, bits)
    suma, sumb = scidac_checksum(binary, lx * ly * lz * lt)
    letter, typesize = ("F", 72) if bits == 32 else ("D", 144)
    info = usqcd_info(plaq, linktr, INFO)
    records = [
        ("scidac-private-file-xml",
         f"{XML}<scidacFile><version>1.1</version><spacetime>4</spacetime>"
         f"<dims>{lx} {ly} {lz} {lt} </dims><volfmt>0</volfmt></scidacFile>", True, False),
        ("scidac-file-xml", info, False, True),
        ("scidac-private-record-xml",
         f"{XML}<scidacRecord><version>1.1</version><recordtype>0</recordtype>"
         f"<datatype>QDP_{letter}3_ColorMatrix</datatype><precision>{letter}</precision>"
         f"<colors>3</colors><spins>4</spins><typesize>{typesize}</typesize>"
         f"<datacount>4</datacount></scidacRecord>", True, False),
        ("scidac-record-xml", info, False, False),
        ("ildg-format",
         f'{XML}<ildgFormat xmlns="http://www.lqcd.org/ildg" '
         f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
         f'xsi:schemaLocation="http://www.lqcd.org/ildg http://www.lqcd.org/ildg/binary.xsd">'
         f"<version>1.0</version><field>su3gauge</field><precision>{bits}</precision>"
         f"<lx>{lx}</lx><ly>{ly}</ly><lz>{lz}</lz><lt>{lt}</lt></ildgFormat>", False, False),
        ("ildg-data-lfn", LFN, False, False),
        ("ildg-binary-data", binary, False, False),
        ("scidac-checksum",
         f"{XML}<scidacChecksum><version>1.0</version><suma>{suma:x}</suma>"
         f"<sumb>{sumb:x}</sumb></scidacChecksum>", False, True),
    ]
    data = b"".join(lime_record(t, d if isinstance(d, bytes) else d.encode(), mb, me)
                    for t, d, mb, me in records)
    return data, (suma, sumb)


def foreign_ildg(links, bits):
    """A layout as tmLQCD- or QIO-based writers produce: other records, other order, other
    spelling."""
    lx, ly, lz, lt = extents_of(links)
    binary = ildg_binary(links, bits)
    suma, sumb = scidac_checksum(binary, lx * ly * lz * lt)
    stored = as_stored(links, bits)
    ildg_format = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ildgFormat xmlns="http://www.lqcd.org/ildg"\n'
                   f'            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
                   f'            xsi:schemaLocation="http://www.lqcd.org/ildg/filefmt.xsd">\n'
                   f"  <version> 1.0 </version>\n  <field>su3gauge</field>\n"
                   f"  <precision> {bits} </precision>\n"
                   f"  <lx>{lx}</lx>\n  <ly>{ly}</ly>\n  <lz>{lz}</lz>\n  <lt>{lt}</lt>\n"
                   f"</ildgFormat>")
    xlf = "plaquette = 0.62\n trajectory nr = 7\n beta = 5.7, kappa = 0.0, mu = 0.0\n"
    if bits == 64:
        records = [
            ("xlf-info", xlf, True, False),
            ("ildg-format", ildg_format, False, False),
            ("ildg-data-lfn", "lfn://fpgauge/golden/foreign", False, False),
            ("ildg-binary-data", binary, False, False),
            ("scidac-checksum",
             f"{XML}<scidacChecksum><version>1.0</version><suma>{suma:#010x}</suma>"
             f"<sumb>{sumb:#010x}</sumb></scidacChecksum>", False, True),
            ("scidac-file-xml",
             f"{XML}<usqcdInfo><version>1.0</version><plaq>{plaquette(stored):.6g}</plaq>"
             f"<linktr>{link_trace(stored):.6g}</linktr><info>written by hand</info></usqcdInfo>",
             True, True),
        ]
    else:
        records = [
            ("scidac-private-file-xml",
             f"{XML}<scidacFile><version>1.1</version><spacetime>4</spacetime>"
             f"<dims>{lx}\n{ly}\n{lz}\n{lt}</dims><volfmt>0</volfmt></scidacFile>", True, False),
            ("scidac-file-xml", f"{XML}<title>MILC ILDG archival gauge configuration</title>",
             False, True),
            ("ildg-binary-data", binary, True, False),
            ("ildg-format", ildg_format, False, False),
            ("xlf-info", xlf + "odd length", False, True),
        ]
    data = b"".join(lime_record(t, d if isinstance(d, bytes) else d.encode(), mb, me)
                    for t, d, mb, me in records)
    if bits == 32:
        pad = -len(xlf + "odd length") % 8
        assert pad > 0
        data = data[:-pad]  # no padding after the last record
    return data, ((suma, sumb) if bits == 64 else None)


# ---- openQCD ----

def openqcd_bytes(links, plaquette_without_third):
    lx, ly, lz, lt = extents_of(links)
    direction = (3, 0, 1, 2)  # fpgauge mu of openQCD direction 0 (time), 1, 2, 3
    out = [struct.pack("<4i", lt, lx, ly, lz), struct.pack("<d", plaquette_without_third)]
    for t in range(lt):
        for x in range(lx):
            for y in range(ly):
                for z in range(lz):
                    if (t + x + y + z) % 2 == 0:
                        continue
                    for mu in direction:
                        back = [t, z, y, x]
                        back[3 - mu] = (back[3 - mu] - 1) % (lx, ly, lz, lt)[mu]
                        for link in (links[t, z, y, x, mu], links[tuple(back) + (mu,)]):
                            numbers = np.stack([link.real, link.imag], axis=-1).reshape(-1)
                            out.append(struct.pack("<18d", *numbers))
    return b"".join(out)


def main():
    golden = {"files": {}}

    dyadic = make_dyadic_links()
    volume = int(np.prod(DYADIC_EXTENTS))
    plaq_sum = exact_plaquette_sum(dyadic)
    plaq = exactly_rounded(plaq_sum / (18 * volume))
    trace_sum = sum(Fraction(x) for x in np.trace(dyadic, axis1=-2, axis2=-1).real.reshape(-1))
    linktr = exactly_rounded(trace_sum / (12 * volume))
    assert dyadic.astype(np.complex64).astype(complex).tolist() == dyadic.tolist()
    for bits in (64, 32):
        name = f"ildg_2x2x2x2_dyadic_{bits}.lime"
        data, (suma, sumb) = fpgauge_ildg(dyadic, bits, plaq, linktr)
        (OUT / name).write_bytes(data)
        golden["files"][name] = {
            "format": "ildg", "extents": list(DYADIC_EXTENTS), "precision": bits,
            "plaquette": plaq, "link_trace": linktr,
            "checksum": {"suma": f"{suma:x}", "sumb": f"{sumb:x}"}}
    name = "openqcd_2x2x2x2_dyadic.oqcd"
    (OUT / name).write_bytes(openqcd_bytes(dyadic, 3.0 * plaq))
    golden["files"][name] = {"format": "openqcd", "extents": list(DYADIC_EXTENTS),
                             "precision": 64, "plaquette": plaq, "link_trace": linktr,
                             "checksum": None}
    golden["fpgauge_write"] = {"ildg_64": "ildg_2x2x2x2_dyadic_64.lime",
                               "ildg_32": "ildg_2x2x2x2_dyadic_32.lime",
                               "openqcd": "openqcd_2x2x2x2_dyadic.oqcd",
                               "lfn": LFN, "info": INFO,
                               "plaquette_sum": str(plaq_sum)}

    generic = generic_links()
    for bits in (64, 32):
        name = f"ildg_2x2x2x4_{bits}_foreign.lime"
        data, checksum = foreign_ildg(generic, bits)
        (OUT / name).write_bytes(data)
        stored = as_stored(generic, bits)
        golden["files"][name] = {
            "format": "ildg", "extents": list(GENERIC_EXTENTS), "precision": bits,
            "plaquette": plaquette(stored), "link_trace": link_trace(stored),
            "checksum": None if checksum is None else {"suma": f"{checksum[0]:x}",
                                                       "sumb": f"{checksum[1]:x}"},
            "same_links_as": NERSC_SOURCE}
    name = "openqcd_2x2x2x4.oqcd"
    (OUT / name).write_bytes(openqcd_bytes(generic, 3.0 * plaquette(generic)))
    golden["files"][name] = {"format": "openqcd", "extents": list(GENERIC_EXTENTS),
                             "precision": 64, "plaquette": plaquette(generic),
                             "link_trace": link_trace(generic), "checksum": None,
                             "same_links_as": NERSC_SOURCE}

    with open(OUT / "ildg_openqcd_golden.json", "w") as f:
        json.dump(golden, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
