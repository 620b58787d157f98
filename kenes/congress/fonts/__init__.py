"""DejaVu Sans (regular and bold), for protocols as PDF: Cyrillic and Kazakh letters with no
system font needed. Copied from Debian's fonts-dejavu-core 2.37; the licence is in
DejaVu-LICENSE.txt (Bitstream Vera and Arev fonts licence: free to use and redistribute)."""
