#!/usr/bin/python3
"""Golden NERSC files for tests/test_nersc.cpp, written independently of fpgauge.

One fixed 2x2x2x4 configuration (links exp(i 0.4 H), H = sum_a h^a t^a, h^a ~ N(0,1), numpy
seed 20240401) is packed with struct in several variants of the format:

  nersc_2x2x2x4_3x3_ieee64big.nersc    fpgauge's own header layout, byte for byte: the test
                                       writes the field it reads with the metadata below and
                                       compares the two files
  nersc_2x2x2x4_3x3_ieee32little.nersc  KEY=VALUE without blanks, tabs, unknown keys, E-notation
  nersc_2x2x2x4_2x3_ieee64big.nersc     two stored rows
  nersc_2x2x2x4_2x3_ieee32little.nersc
  nersc_2x2x2x4_2x3_ieee32.nersc        bare IEEE32, which fpgauge reads as big-endian

and nersc_golden.json records, per file, the plaquette and link trace that a reader must find
(for two-row files with row 2 = conj(row0 x row1) of the stored rows) and the checksum.

Conventions (SPEC section 1 and 9): site index x + Lx (y + Ly (z + Lz t)), x fastest; per site
mu = 0..3; per link the stored rows row-major, (re, im) pairs. Plaquette (1/(18V)) sum Re tr P,
link trace (1/(12V)) sum Re tr U. CHECKSUM: the 32-bit sum of the payload's 32-bit words as
numbers (float bit patterns; low and high halves of doubles).

Run from anywhere: /usr/bin/python3 tests/golden/make_nersc_golden.py
"""
import json
import pathlib
import struct

import numpy as np

EXTENTS = (2, 2, 2, 4)  # (Lx, Ly, Lz, Lt)
SEED = 20240401
AMPLITUDE = 0.4
OUT = pathlib.Path(__file__).resolve().parent

# fpgauge's write_nersc metadata for the byte-by-byte comparison.
ENSEMBLE_ID = "fpgauge-golden"
SEQUENCE_NUMBER = 7
CREATOR = "make_nersc_golden.py"


def gell_mann_generators():
    lam = np.zeros((8, 3, 3), dtype=complex)
    lam[0][0, 1] = lam[0][1, 0] = 1
    lam[1][0, 1], lam[1][1, 0] = -1j, 1j
    lam[2][0, 0], lam[2][1, 1] = 1, -1
    lam[3][0, 2] = lam[3][2, 0] = 1
    lam[4][0, 2], lam[4][2, 0] = -1j, 1j
    lam[5][1, 2] = lam[5][2, 1] = 1
    lam[6][1, 2], lam[6][2, 1] = -1j, 1j
    lam[7] = np.diag([1, 1, -2]) / np.sqrt(3)
    return lam / 2


def make_links():
    """links[t, z, y, x, mu] = exp(i A H), a (3, 3) complex matrix."""
    lx, ly, lz, lt = EXTENTS
    rng = np.random.default_rng(SEED)
    t = gell_mann_generators()
    h = rng.normal(size=(lt, lz, ly, lx, 4, 8))
    herm = AMPLITUDE * np.einsum("...a,aij->...ij", h, t)
    w, v = np.linalg.eigh(herm)
    return np.einsum("...ij,...j,...kj->...ik", v, np.exp(1j * w), v.conj())


def third_row(links):
    r0, r1 = links[..., 0, :], links[..., 1, :]
    return np.conj(np.cross(r0, r1))


def plaquette(links):
    # axis of direction mu in links[t, z, y, x]: x -> 3, y -> 2, z -> 1, t -> 0
    def shift(field, mu):
        return np.roll(field, -1, axis=3 - mu)

    total = 0.0
    for mu in range(4):
        for nu in range(mu + 1, 4):
            u_mu, u_nu = links[..., mu, :, :], links[..., nu, :, :]
            p = u_mu @ shift(u_nu, mu) @ shift(u_mu, nu).conj().swapaxes(-1, -2) @ \
                u_nu.conj().swapaxes(-1, -2)
            total += np.trace(p, axis1=-2, axis2=-1).real.sum()
    return total / (18 * np.prod(EXTENTS))


def link_trace(links):
    return np.trace(links, axis1=-2, axis2=-1).real.sum() / (12 * np.prod(EXTENTS))


def payload_numbers(links, rows):
    """The stored numbers in file order: sites x fastest, mu, rows, columns, (re, im)."""
    stored = links[..., :rows, :]
    return np.stack([stored.real, stored.imag], axis=-1).reshape(-1)


def checksum(numbers, word):
    if word == "f":
        words = numbers.astype("<f4").view("<u4").astype(np.uint64)
    else:
        words = numbers.astype("<f8").view("<u4").astype(np.uint64)
    return int(words.sum() % 2**32)


def as_read(links, rows, word):
    """The field a reader obtains: the stored numbers' rounding, row 2 rebuilt if not stored."""
    if word == "f":
        links = links.astype(np.complex64).astype(np.complex128)
    if rows == 2:
        links = links.copy()
        links[..., 2, :] = third_row(links)
    return links


def fixed_decimals(x, decimals):
    """'%.{decimals}f' of x, refusing values so close to a rounding boundary that another
    summation order (fpgauge's) could print a different last digit."""
    scaled = abs(x) * 10**decimals
    assert abs(scaled - np.floor(scaled) - 0.5) > 1e-2, f"{x} is too close to a rounding boundary"
    return f"{x:.{decimals}f}"


def write(name, links, rows, floating_point, header_lines):
    word = "f" if floating_point.startswith("IEEE32") else "d"
    order = "<" if floating_point.endswith("LITTLE") else ">"  # bare IEEE32/64: big-endian
    numbers = payload_numbers(links, rows)
    header = "".join(line + "\n" for line in header_lines)
    with open(OUT / name, "wb") as f:
        f.write(header.encode("ascii"))
        f.write(struct.pack(f"{order}{numbers.size}{word}", *numbers))
    read = as_read(links, rows, word)
    return {
        "datatype": "4D_SU3_GAUGE_3x3" if rows == 3 else "4D_SU3_GAUGE",
        "floating_point": floating_point,
        "plaquette": plaquette(read),
        "link_trace": link_trace(read),
        "checksum": f"{checksum(numbers, word):x}",
    }


def fpgauge_header(links):
    numbers = payload_numbers(links, 3)
    lines = ["BEGIN_HEADER", "HDR_VERSION = 1.0", "DATATYPE = 4D_SU3_GAUGE_3x3",
             "STORAGE_FORMAT = 1.0"]
    lines += [f"DIMENSION_{mu + 1} = {EXTENTS[mu]}" for mu in range(4)]
    lines += [f"BOUNDARY_{mu + 1} = PERIODIC" for mu in range(4)]
    lines += [f"CHECKSUM = {checksum(numbers, 'd'):x}",
              f"LINK_TRACE = {fixed_decimals(link_trace(links), 12)}",
              f"PLAQUETTE = {fixed_decimals(plaquette(links), 12)}",
              "FLOATING_POINT = IEEE64BIG", f"ENSEMBLE_ID = {ENSEMBLE_ID}",
              f"SEQUENCE_NUMBER = {SEQUENCE_NUMBER}", f"CREATOR = {CREATOR}", "END_HEADER"]
    return lines


def varied_header(links, rows, floating_point, tidy):
    """A header as other writers produce them: odd whitespace, unknown keys, fewer digits."""
    word = "f" if floating_point.startswith("IEEE32") else "d"
    read = as_read(links, rows, word)
    datatype = "4D_SU3_GAUGE_3x3" if rows == 3 else "4D_SU3_GAUGE"
    sum_ = checksum(payload_numbers(links, rows), word)
    if tidy:
        return ["BEGIN_HEADER", f"DATATYPE = {datatype}",
                *[f"DIMENSION_{mu + 1} = {EXTENTS[mu]}" for mu in range(4)],
                f"CHECKSUM = {sum_:x}", f"LINK_TRACE = {link_trace(read):.10f}",
                f"PLAQUETTE = {plaquette(read):.10f}", f"FLOATING_POINT = {floating_point}",
                "END_HEADER"]
    return ["", "BEGIN_HEADER", "HDR_VERSION=1.0", f"\tDATATYPE\t=\t{datatype}  ",
            "CREATION_DATE = Mon Apr  1 12:00:00 2024", "ENSEMBLE_LABEL = golden = test",
            *[f"DIMENSION_{mu + 1}={EXTENTS[mu]}" for mu in range(4)],
            f"CHECKSUM = 0x{sum_:X}", f"   PLAQUETTE =    {plaquette(read):.9e}",
            f"FLOATING_POINT  = {floating_point}", "", "END_HEADER"]


def main():
    links = make_links()
    files = {
        "nersc_2x2x2x4_3x3_ieee64big.nersc": (3, "IEEE64BIG", fpgauge_header(links)),
        "nersc_2x2x2x4_3x3_ieee32little.nersc":
            (3, "IEEE32LITTLE", varied_header(links, 3, "IEEE32LITTLE", tidy=False)),
        "nersc_2x2x2x4_2x3_ieee64big.nersc":
            (2, "IEEE64BIG", varied_header(links, 2, "IEEE64BIG", tidy=True)),
        "nersc_2x2x2x4_2x3_ieee32little.nersc":
            (2, "IEEE32LITTLE", varied_header(links, 2, "IEEE32LITTLE", tidy=False)),
        "nersc_2x2x2x4_2x3_ieee32.nersc":
            (2, "IEEE32", varied_header(links, 2, "IEEE32", tidy=True)),
    }
    golden = {"extents": list(EXTENTS), "seed": SEED, "amplitude": AMPLITUDE,
              "fpgauge_write": {"file": "nersc_2x2x2x4_3x3_ieee64big.nersc",
                                "ensemble_id": ENSEMBLE_ID, "sequence_number": SEQUENCE_NUMBER,
                                "creator": CREATOR},
              "files": {}}
    for name, (rows, floating_point, header) in files.items():
        golden["files"][name] = write(name, links, rows, floating_point, header)
    with open(OUT / "nersc_golden.json", "w") as f:
        json.dump(golden, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
