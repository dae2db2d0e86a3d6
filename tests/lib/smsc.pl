#!/usr/bin/perl
# A small SMSC for the tests, on Debian's Net::SMPP (libnet-smpp-perl): it takes one ESME at a
# time, answers bind_transceiver (checking system_id and password), submit_sm, enquire_link and
# unbind, sends a delivery receipt (deliver_sm) for every message it takes, and writes a JSON
# line per event to stdout:
#   {"event":"listening","port":N}
#   {"event":"bind","system_id":..}          {"event":"bind_refused","system_id":..}
#   {"event":"submit","id":"m1","to":..,"from":..,"data_coding":8,"esm_class":64,"sm_hex":".."}
#   {"event":"enquire_link"}  {"event":"unbind"}  {"event":"closed"}
# Commands on stdin, one a line: "fail NUMBER" (refuse submits to it with ESME_RSYSERR),
# "ok NUMBER", "undeliv NUMBER" (receipts say UNDELIV), "drop" (close the session at the next PDU).
#
#   perl tests/lib/smsc.pl SYSTEM_ID PASSWORD
use strict;
use warnings;
use Net::SMPP;
use JSON::PP;
use IO::Select;

$| = 1;
my ($system_id, $password) = @ARGV;
my $json = JSON::PP->new->canonical;
sub say_event { print $json->encode({@_}), "\n"; }

my $listen = Net::SMPP->new_listen('127.0.0.1', port => 0, smpp_version => 0x34)
    or die "cannot listen: $!";
say_event(event => 'listening', port => $listen->sockport);

my (%fail, %undeliv);
my $drop = 0;
my $n = 0;
my $stdin = IO::Select->new(\*STDIN);

sub commands {
    while ($stdin->can_read(0)) {
        my $line = <STDIN>;
        exit 0 unless defined $line;
        chomp $line;
        next unless length $line;
        my ($cmd, $arg) = split / /, $line, 2;
        if ($cmd eq 'fail') { $fail{$arg} = 1 }
        elsif ($cmd eq 'ok') { delete $fail{$arg}; delete $undeliv{$arg} }
        elsif ($cmd eq 'undeliv') { $undeliv{$arg} = 1 }
        elsif ($cmd eq 'drop') { $drop = 1 }
        say_event(event => 'command', command => $line);
    }
}

for (;;) {
    commands();
    my @ready = IO::Select->new($listen, \*STDIN)->can_read(1);
    commands();
    next unless grep { $_ == $listen } @ready;
    my $esme = $listen->accept or next;
    my $bound = 0;
    for (;;) {
        # Wait for the ESME or a command.
        my $s = IO::Select->new($esme, \*STDIN);
        my @r = $s->can_read(1);
        commands();
        next unless grep { $_ == $esme } @r;
        if ($drop) { $drop = 0; say_event(event => 'dropped'); last; }
        my $pdu = $esme->read_pdu() or last;
        my $cmd = $pdu->{cmd};
        if ($cmd == Net::SMPP::CMD_bind_transceiver) {
            if (($pdu->{system_id} // '') eq $system_id && ($pdu->{password} // '') eq $password) {
                $bound = 1;
                $esme->bind_transceiver_resp(seq => $pdu->{seq}, system_id => 'test-smsc');
                say_event(event => 'bind', system_id => $pdu->{system_id});
            } else {
                $esme->bind_transceiver_resp(seq => $pdu->{seq}, status => 0x0E, system_id => 'test-smsc');
                say_event(event => 'bind_refused', system_id => $pdu->{system_id});
            }
        } elsif ($cmd == Net::SMPP::CMD_submit_sm) {
            my $to = $pdu->{destination_addr};
            if (!$bound || $fail{$to}) {
                $esme->submit_sm_resp(seq => $pdu->{seq}, status => 0x08, message_id => '');
                say_event(event => 'submit_refused', to => $to);
                next;
            }
            my $id = 'm' . ++$n;
            $esme->submit_sm_resp(seq => $pdu->{seq}, message_id => $id);
            say_event(event => 'submit', id => $id, to => $to, from => $pdu->{source_addr},
                data_coding => $pdu->{data_coding}, esm_class => $pdu->{esm_class},
                registered_delivery => $pdu->{registered_delivery},
                sm_hex => unpack('H*', $pdu->{short_message}));
            my $stat = $undeliv{$to} ? 'UNDELIV' : 'DELIVRD';
            $esme->deliver_sm(async => 1, source_addr => $to, destination_addr => $pdu->{source_addr},
                esm_class => 0x04, data_coding => 0,
                short_message => "id:$id sub:001 dlvr:001 submit date:2112051200 done date:2112051200 stat:$stat err:000 text:");
        } elsif ($cmd == Net::SMPP::CMD_enquire_link) {
            $esme->enquire_link_resp(seq => $pdu->{seq});
            say_event(event => 'enquire_link');
        } elsif ($cmd == Net::SMPP::CMD_unbind) {
            $esme->unbind_resp(seq => $pdu->{seq});
            say_event(event => 'unbind');
            last;
        } elsif ($cmd == Net::SMPP::CMD_deliver_sm_resp) {
            say_event(event => 'receipt_taken');
        } else {
            $esme->generic_nack(seq => $pdu->{seq}, status => 0x03);
        }
    }
    close $esme;
    say_event(event => 'closed');
}
