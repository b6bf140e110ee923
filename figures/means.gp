# means.gp: the average image of each digit over the training split (chapter 1).
# Input: dir/means.dat (one matrix of mean pixels, 0..255) and dir/means_labels.tsv.
w_px = 600; h_px = 290
load figures.'/common.gp'
set size ratio -1
unset key; unset colorbox; unset border; unset tics
set palette gray negative
set cbrange [0:255]
set yrange [*:*] reverse
set margins 0, 0, 0, 0
plot dir.'/means.dat' matrix with image, \
     dir.'/means_labels.tsv' using 1:2:3 with labels textcolor rgb '#8e1b10' font ',13'
