# Warnings we hold our own code to; errors unless CORDON_WERROR is off.
set(CORDON_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition
    -Wvla -Wwrite-strings -Wformat=2 -Wformat-security -Wno-format-nonliteral -fno-common
    -Wenum-conversion) # store rc and enum err are two types: mixing them is an error
if(CORDON_WERROR)
    list(APPEND CORDON_WARNINGS -Werror)
endif()
