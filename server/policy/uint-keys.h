/* Sorted keys of a hash table keyed by GUINT_TO_POINTER: option codes, addresses in
 * host order. g_hash_table_get_keys_as_ptr_array is glib 2.76; we support 2.74. */
#pragma once

#include <glib.h>

static inline gint
bc_uint_keys_compare (gconstpointer a, gconstpointer b)
{
  guint x = GPOINTER_TO_UINT (*(gpointer *)a), y = GPOINTER_TO_UINT (*(gpointer *)b);
  return x < y ? -1 : x > y;
}

/* A new array of the table's keys in ascending order; the keys are not owned. */
static inline GPtrArray *
bc_uint_keys_sorted (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_sized_new (g_hash_table_size (table));
  GHashTableIter it;
  gpointer k;

  g_hash_table_iter_init (&it, table);
  while (g_hash_table_iter_next (&it, &k, NULL))
    g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, bc_uint_keys_compare);
  return keys;
}
