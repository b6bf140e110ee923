# common.gp: every figure script loads this first. The caller (lib/plot.c)
# sets `dir` (the run's folder), `name` (the figure), `term` (svg, pdf or dumb);
# the figure goes to dir/name.term.part and plot.c renames it once it is whole.
if (term eq 'svg') {
    set terminal svg size w_px, h_px dynamic font 'sans,11' background '#ffffff'
    set output dir.'/'.name.'.svg.part'
} else {
    if (term eq 'pdf') {
        set terminal pdfcairo size w_px/100.0, h_px/100.0 font 'sans,9'
        set output dir.'/'.name.'.pdf.part'
    } else {
        set terminal dumb size 79, 24
        set output
    }
}
set encoding utf8
