# ch7-hardest.gp: the test digits with the highest loss, four to a row,
# hardest first (chapter 7; the study's Figure 8, whose image is lost). Under
# each: its label, what the network answered, and the probability it gave the
# label.
# Input: dir/hardest.dat (one matrix of pixels, 0..255, as lib/plot.h's
# plot_write_grid writes it) and dir/hardest_labels.tsv (x, y, caption; a
# caption's "\n" starts its second line).
w_px = 560; h_px = 700
load figures.'/common.gp'
set size ratio -1
unset key; unset colorbox; unset border; unset tics
set palette gray negative
set cbrange [0:255]
set yrange [*:*] reverse
set margins 0, 0, 0, 0
plot dir.'/hardest.dat' matrix with image, \
     dir.'/hardest_labels.tsv' using 1:2:3 with labels textcolor rgb '#8e1b10' font ',11'
